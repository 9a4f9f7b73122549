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
from fastlint.rules.fl606_deprecated_status_name import DeprecatedStatusName

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
    DeprecatedStatusName,
)

__all__ = ["BUILTIN_RULES"]
