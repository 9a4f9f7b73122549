from fastapi import APIRouter
from sqlalchemy.orm import Session

router = APIRouter()


@router.get("/users")
async def list_users(db: Session) -> list[str]:
    return [
        user.name
        for user in db.scalars(
            "SELECT name FROM users"
        )
    ]
