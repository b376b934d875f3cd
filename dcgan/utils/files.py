"""Files the tools read and write: one way to list inputs, one atomic write. No TensorFlow."""

import contextlib
import fcntl
import glob
import json
import os
import shutil
import tempfile

from dcgan.errors import UserError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")


def list_files(folder, extensions=None, exclude=None):
    """Files under `folder` (recursive, following links, hidden files left out), sorted.

    Args:
      extensions: keep only names ending so (any case), or None for all files.
      exclude: a folder whose contents are left out (an output folder inside the input).
    """
    exclude = os.path.realpath(exclude) if exclude else None
    found = []
    for root, dirs, names in os.walk(folder, followlinks=True):
        if exclude:
            dirs[:] = [d for d in dirs if os.path.realpath(os.path.join(root, d)) != exclude]
        found += [os.path.join(root, n) for n in names if not n.startswith(".")
                  and (extensions is None or n.lower().endswith(extensions))]
    return sorted(found)


def list_images(folder):
    """All image files under `folder` (png/jpg/jpeg/bmp in any case), sorted.

    Raises:
      UserError: the folder is missing or holds no image file.
    """
    if not os.path.isdir(folder):
        raise UserError(f"{folder} is a file, not a folder of images" if os.path.exists(folder)
                        else f"no such folder: {folder}")
    files = list_files(folder, IMAGE_EXTENSIONS)
    if not files:
        raise UserError(f"no images (png, jpg, jpeg, bmp) in {folder}")
    return files


def expand_inputs(arguments):
    """Image arguments, each folder replaced by the images under it (the same rule as training)."""
    paths = []
    for argument in arguments:
        paths += list_files(argument, IMAGE_EXTENSIONS) if os.path.isdir(argument) else [argument]
    return paths


@contextlib.contextmanager
def atomic_write(path, mode="w"):
    """Yields a file object; `path` appears only when it is complete (no half file on a crash)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".part"
    try:
        with open(tmp, mode) as f:
            yield f
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path, value):
    """Writes JSON atomically."""
    with atomic_write(path) as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def read_json(path):
    """Reads JSON; a file that is not JSON is a `UserError` naming it."""
    try:
        with open(path) as f:
            return json.load(f)
    except ValueError as e:
        raise UserError(f"{path} is not JSON: {e}") from None


def check_output_dir(path, flag):
    """Says in one line why the run could not write into the folder `path`, if it could not.

    Called before any work starts, so a bad output path loses nothing. The folders made to
    try a write are removed again, so that a run refused later for another reason leaves no
    empty folder behind; the writers make them when they write.
    """
    if os.path.exists(path) and not os.path.isdir(path):
        raise UserError(f"{flag} {path} is a file, not a folder")
    made = _missing_folders(path)
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".write_test")
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as e:
        raise UserError(f"cannot write to {flag} {path}: {e.strerror}") from None
    finally:
        for folder in made:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


class StagedFolder:
    """A run's outputs, written beside `out_dir` (in `OUT.partial-XXXX`, where progress can be
    watched) and moved into it only when the run keeps them.

    A run that fails (or is killed) leaves `out_dir` as it was, byte for byte: its
    outputs were never there. `commit` moves each file or folder the run wrote
    into `out_dir`, first removing the same names and what `replaced` (names or
    glob patterns of the tool's outputs) matches of an earlier run; every other
    file there is left alone. As a context manager: an exception discards, else
    it commits when `keep` is still True (a tool sets it False when nothing came out).
    """

    def __init__(self, out_dir, replaced=()):
        self.out_dir, self.replaced, self.keep = out_dir, replaced, True
        parent, base = os.path.split(os.path.abspath(out_dir))
        self.made = _missing_folders(parent)
        os.makedirs(parent, exist_ok=True)
        self.path = tempfile.mkdtemp(prefix=f"{base}.partial-", dir=parent)

    def final(self, path):
        """Where a path inside the staging folder ends up after `commit`."""
        return os.path.join(self.out_dir, os.path.relpath(path, self.path))

    def commit(self):
        os.makedirs(self.out_dir, exist_ok=True)
        names = os.listdir(self.path)
        old = {path for pattern in self.replaced for path in glob.glob(os.path.join(self.out_dir, pattern))}
        for path in old | {os.path.join(self.out_dir, name) for name in names}:
            _remove(path)
        for name in names:
            os.replace(os.path.join(self.path, name), os.path.join(self.out_dir, name))
        os.rmdir(self.path)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        (self.commit if kind is None and self.keep else self.discard)()

    def discard(self):
        shutil.rmtree(self.path, ignore_errors=True)
        for folder in self.made:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


def _missing_folders(path):
    """The folders from `path` up that do not exist yet, deepest first."""
    made, folder = [], os.path.abspath(path)
    while not os.path.exists(folder):
        made.append(folder)
        folder = os.path.dirname(folder)
    return made


class FolderLock:
    """Holds an exclusive lock on `folder` while this process runs, or until `release` (or `with`).

    A second run into the same folder is refused instead of overwriting the first's
    files. The kernel drops the lock when a process dies, so a killed run leaves none.

    Raises:
      UserError: another live process holds the folder.
    """

    def __init__(self, folder, what):
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, ".lock")
        self.file = open(path, "a+")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.file.seek(0)
            holder = self.file.read().strip() or "another process"
            self.file.close()
            raise UserError(f"{folder} is in use by {holder}: {what}") from None
        self.file.seek(0)
        self.file.truncate()
        self.file.write(f"process {os.getpid()}")
        self.file.flush()

    def release(self):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
