from pydantic import BaseModel, validator


class User(BaseModel):
    name: str

    @validator("name", pre=True)
    def strip_name(cls, value):
        return value.strip()
