"""Folders as data: what a grading job and its reply carry between machines (see :mod:`.cluster`).

A *parcel* is a gzip-compressed tar archive, in memory, of the regular files and folders under one
folder. Packing skips symlinks and special files; unpacking accepts only regular files and folders
with relative names that stay inside the destination, and stops at ``max_bytes`` of content, so an
archive cannot write outside its folder, make links or fill the disk. Submissions are packed after
:func:`autograder.parallel.intake.copy_submission` has applied the course's :class:`SubmissionLimits`.
"""

import io
import os
import tarfile
from pathlib import Path, PurePosixPath

# Far above what any folder of a job holds (capped submissions, capped autograded notebooks).
MAX_PARCEL_BYTES = 512 * 1024 ** 2


class ParcelError(ValueError):
    """An archive that is not a parcel this module would have written."""


def pack_folder(folder):
    """The parcel (bytes) of ``folder``'s regular files and sub-folders, in sorted order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ParcelError(f"pack_folder: expected a folder, got {str(folder)!r} (missing or not a folder)")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as archive:
        for root, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(name for name in dirs if not os.path.islink(os.path.join(root, name)))
            for name in dirs:
                _add(archive, Path(root) / name, folder, tarfile.DIRTYPE)
            for name in sorted(files):
                path = Path(root) / name
                if path.is_file() and not path.is_symlink():
                    _add(archive, path, folder, tarfile.REGTYPE)
    return buffer.getvalue()


def _add(archive, path, folder, kind):
    info = tarfile.TarInfo(path.relative_to(folder).as_posix())
    info.type = kind
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    if kind == tarfile.REGTYPE:
        info.size = path.stat().st_size
        with open(path, "rb") as handle:
            archive.addfile(info, handle)
    else:
        archive.addfile(info)


def unpack_folder(data, destination, max_bytes=MAX_PARCEL_BYTES):
    """Write the parcel ``data`` into the folder ``destination`` (created; must be empty or absent).

    Raises :class:`ParcelError` naming the first member that is not a regular file or folder with a
    safe relative name, or when the content passes ``max_bytes``; nothing is followed or linked.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise ParcelError(f"unpack_folder: expected the bytes of a parcel, got {type(data).__name__}")
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    if any(destination.iterdir()):
        raise ParcelError(f"unpack_folder: expected an empty destination, {str(destination)!r} is not empty")
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                target = destination / _safe_name(member.name)
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isreg():
                    raise ParcelError(f"parcel member {member.name!r}: expected a regular file or folder, "
                                      f"got tar type {member.type!r}")
                total += member.size
                if total > max_bytes:
                    raise ParcelError(f"parcel: more than {max_bytes} bytes of content (at {member.name!r})")
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, open(target, "xb") as handle:
                    while block := source.read(1 << 20):
                        handle.write(block)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ParcelError(f"parcel: not a readable archive ({type(error).__name__}: {error})") from error
    return destination


def _safe_name(name):
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(part in ("", ".", "..") for part in path.parts) or "\\" in name:
        raise ParcelError(f"parcel member {name!r}: expected a relative name inside the folder")
    return Path(*path.parts)
