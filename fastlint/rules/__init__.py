"""The built-in rules, one module each, named after the rule."""

from __future__ import annotations

from fastlint.rule import Rule
from fastlint.rules.fl001_invalid_syntax import InvalidSyntax
from fastlint.rules.fl002_unused_noqa import UnusedNoqa
from fastlint.rules.fl101_sync_db_in_async import SyncDbInAsync
from fastlint.rules.fl102_blocking_call_in_async import BlockingCallInAsync
from fastlint.rules.fl103_transitive_blocking_call import TransitiveBlockingCall
from fastlint.rules.fl104_missing_await import MissingAwait
from fastlint.rules.fl105_client_per_request import ClientPerRequest
from fastlint.rules.fl201_cors_wildcard_credentials import CorsWildcardCredentials
from fastlint.rules.fl301_deprecated_validator import DeprecatedValidator
from fastlint.rules.fl401_deprecated_on_event import DeprecatedOnEvent
from fastlint.rules.fl402_on_event_ignored import OnEventIgnored
from fastlint.rules.fl601_redundant_response_model import RedundantResponseModel
from fastlint.rules.fl602_path_parameter_mismatch import PathParameterMismatch
from fastlint.rules.fl603_shadowed_route import ShadowedRoute
from fastlint.rules.fl604_duplicate_route import DuplicateRoute
from fastlint.rules.fl605_invalid_router_prefix import InvalidRouterPrefix
from fastlint.rules.fl606_deprecated_status_name import DeprecatedStatusName
from fastlint.rules.fl607_body_on_no_content import BodyOnNoContent
from fastlint.rules.fl608_body_on_get import BodyOnGet
from fastlint.rules.fl609_deprecated_json_response_class import DeprecatedJsonResponseClass
from fastlint.rules.fl610_removed_starlette_api import RemovedStarletteApi
from fastlint.rules.fl611_router_never_included import RouterNeverIncluded
from fastlint.rules.fl612_url_for_unknown_route import UrlForUnknownRoute

BUILTIN_RULES: tuple[type[Rule], ...] = (
    InvalidSyntax,
    UnusedNoqa,
    SyncDbInAsync,
    BlockingCallInAsync,
    TransitiveBlockingCall,
    MissingAwait,
    ClientPerRequest,
    CorsWildcardCredentials,
    DeprecatedValidator,
    DeprecatedOnEvent,
    OnEventIgnored,
    RedundantResponseModel,
    PathParameterMismatch,
    ShadowedRoute,
    DuplicateRoute,
    InvalidRouterPrefix,
    DeprecatedStatusName,
    BodyOnNoContent,
    BodyOnGet,
    DeprecatedJsonResponseClass,
    RemovedStarletteApi,
    RouterNeverIncluded,
    UrlForUnknownRoute,
)

__all__ = ["BUILTIN_RULES"]
