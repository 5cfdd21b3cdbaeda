"""Errors a user can cause. Each message names the input at fault and says how to fix it."""


class GuanxiError(Exception):
    """Base class for errors shown to users by the UI and the CLI."""


class UserInputError(GuanxiError):
    """Bad input from a form, a file or a command line."""
