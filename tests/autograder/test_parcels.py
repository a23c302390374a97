"""Folders as data between the parent and Dask workers (:mod:`autograder.parallel.parcels`).

A parcel round-trips a folder's regular files; packing leaves symlinks out; unpacking refuses
every archive member that could write outside its folder, make a link or a device, or fill the disk.
"""

import io
import os
import tarfile

import pytest

from autograder.parallel.parcels import ParcelError, pack_folder, unpack_folder
from autograder.parallel.remote import threads_per_host


def _archive(*members):
    """A gzip tar whose members are ``(TarInfo, bytes or None)``, written as given."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _member(name, kind=tarfile.REGTYPE, data=b"x", link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info, (data if kind == tarfile.REGTYPE else None)


def test_a_folder_round_trips_with_its_files_and_empty_folders(tmp_path):
    source = tmp_path / "source"
    (source / "sub" / "deeper").mkdir(parents=True)
    (source / "empty").mkdir()
    (source / "a.ipynb").write_bytes(b'{"cells": []}')
    (source / "sub" / "deeper" / "data.bin").write_bytes(bytes(range(256)) * 1000)
    copy = unpack_folder(pack_folder(source), tmp_path / "copy")
    listing = sorted(str(path.relative_to(copy)) for path in copy.rglob("*"))
    assert listing == ["a.ipynb", "empty", "sub", "sub/deeper", "sub/deeper/data.bin"]
    assert (copy / "sub" / "deeper" / "data.bin").read_bytes() == bytes(range(256)) * 1000


def test_packing_leaves_out_symlinks_to_files_and_folders(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "kept.txt").write_text("kept")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key").write_text("hidden tests")
    os.symlink(secret / "key", source / "link_to_file")
    os.symlink(secret, source / "link_to_folder")
    copy = unpack_folder(pack_folder(source), tmp_path / "copy")
    assert sorted(path.name for path in copy.rglob("*")) == ["kept.txt"]


@pytest.mark.parametrize("member, expected", [
    (_member("/etc/passwd_copy"), "expected a relative name"),
    (_member("../outside.txt"), "expected a relative name"),
    (_member("sub/../../outside.txt"), "expected a relative name"),
    (_member("link", tarfile.SYMTYPE, link="/etc/passwd"), "expected a regular file or folder"),
    (_member("hard", tarfile.LNKTYPE, link="a.txt"), "expected a regular file or folder"),
    (_member("device", tarfile.CHRTYPE), "expected a regular file or folder"),
    (_member("fifo", tarfile.FIFOTYPE), "expected a regular file or folder"),
])
def test_unpacking_refuses_members_that_could_escape_or_link(tmp_path, member, expected):
    data = _archive(_member("a.txt"), member)
    with pytest.raises(ParcelError, match=expected):
        unpack_folder(data, tmp_path / "copy")
    assert not (tmp_path / "outside.txt").exists()
    assert not any(path.is_symlink() for path in (tmp_path / "copy").rglob("*"))


def test_unpacking_stops_at_the_content_limit(tmp_path):
    data = _archive(_member("a.txt", data=b"a" * 600), _member("b.txt", data=b"b" * 600))
    with pytest.raises(ParcelError, match="more than 1000 bytes of content"):
        unpack_folder(data, tmp_path / "copy", max_bytes=1000)


def test_unpacking_refuses_what_is_not_a_parcel(tmp_path):
    with pytest.raises(ParcelError, match="not a readable archive"):
        unpack_folder(b"PK\x03\x04 a zip, not a tar", tmp_path / "copy")
    with pytest.raises(ParcelError, match="expected the bytes of a parcel, got str"):
        unpack_folder("text", tmp_path / "other")


def test_unpacking_never_writes_into_a_folder_that_has_files(tmp_path):
    destination = tmp_path / "copy"
    destination.mkdir()
    (destination / "old.txt").write_text("old")
    with pytest.raises(ParcelError, match="expected an empty destination"):
        unpack_folder(_archive(_member("old.txt", data=b"new")), destination)
    assert (destination / "old.txt").read_text() == "old"


def test_threads_per_host_adds_the_dask_threads_of_each_machine():
    workers = {"tcp://10.0.0.1:1": {"host": "10.0.0.1", "nthreads": 4},
               "tcp://10.0.0.1:2": {"host": "10.0.0.1", "nthreads": 4},
               "tcp://10.0.0.2:1": {"host": "10.0.0.2", "nthreads": 16}}
    assert threads_per_host(workers) == {"10.0.0.1": 8, "10.0.0.2": 16}
