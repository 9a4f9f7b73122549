"""An example fastlint plugin."""
