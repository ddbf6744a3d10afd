"""The one exception the engine lets reach its callers."""


class ExtractionError(Exception):
    """A problem with the user's file. ``message`` is a Chinese sentence fit to show the user."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return self.message
