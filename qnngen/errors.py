"""Exceptions for problems a user can fix; the CLI prints them as one line and exits with 2."""


class QnnGenError(Exception):
    """A clear, user-facing error: the message names what is wrong and what to do."""


class ModelError(QnnGenError):
    """The model file is missing, unreadable or malformed."""


class UnsupportedError(QnnGenError):
    """The model uses an op or a pattern qnngen does not compile."""


class FoldingError(QnnGenError):
    """A folding (PE/SIMD) is illegal or cannot be found."""


class BoardError(QnnGenError):
    """Unknown board, or the design does not fit the board."""


class ToolError(QnnGenError):
    """A vendor tool is missing from PATH, or it failed."""
