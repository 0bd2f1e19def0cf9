"""The one exception type for errors a user can cause."""


class TinyCompressError(Exception):
    """A user-caused error: the message names the file, key, layer or op and what to do.

    The CLI prints it on one line without a traceback and exits with status 1.
    """
