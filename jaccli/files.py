"""Files jac writes (a picture, the shell start-up files of --install-completion): whole or not at all."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from jaccli import guard


@contextlib.contextmanager
def replacing(target: str | Path) -> Iterator[BinaryIO]:
    """A stream whose content replaces `target` once the block has written all of it.

    The content goes to a temporary file in the target's folder, which is renamed over the target only
    when it is complete and on disk; a full disk, an error or a timeout in the block leaves an existing
    file as it was and no partial file behind (the parent of a stopped child removes the temporary file:
    jaccli.guard). A symbolic link stays a link: the file it points to is replaced. The new file keeps
    the old one's permissions, or gets the usual ones (0666 less the umask). Raises OSError.
    """
    real = Path(os.path.realpath(target))
    try:
        mode = stat.S_IMODE(real.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".partial", dir=real.parent)
    guard.remove_afterwards(temporary)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # gone already once renamed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
