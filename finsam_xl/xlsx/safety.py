"""Opening and saving workbook files without losing a user's data.

* ``inspect_package`` refuses, with a Swedish message, what is not a workbook
  this tool may open: a missing file, an encrypted (password-protected) file,
  a file that is not a zip package (a renamed .xls/.csv), a zip bomb (by the
  declared sizes, before anything is unpacked), XML with a DOCTYPE anywhere in
  any part (entity bombs), Strict Open XML. Every part is then streamed once
  (bounded by the declared sizes) so that a damaged part is found here too.
* ``check_not_locked`` refuses a file that Excel has open (its ``~$`` owner
  file) or that the OS will not let us write.
* ``atomic_write`` takes a lock file beside the target, writes a new file
  beside it, fsyncs and re-reads (verifies) it, keeps the previous file as
  ``NAME.backup.xlsx`` and then renames into place, so a crash leaves either
  the old or the new file, never half of one. Leftover temporary files of a
  killed run are removed by the next run. Every OS error on the way becomes a
  Swedish ``WorkbookError`` naming the folder or file and what to do.
* Backups are numbered (``NAME.backup.xlsx``, ``NAME.backup.2.xlsx``, ...): a
  backup is never overwritten.

The size limits are ``xlsx.limits`` (docs/limits.md describes them). What only a
budget workbook knows (its output policy, its result names) is ``workbook.output``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.parsers import expat

from finsam_xl.model.labels import os_reason
from finsam_xl.xlsx.limits import (
    MAX_FILE_BYTES,
    MAX_PART_RATIO,
    MAX_PARTS,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    MB,
    RATIO_FLOOR,
    WorkbookError,
)

#: How long a run waits for another run's write lock before giving up.
LOCK_WAIT_SECONDS = 60.0
#: A lock older than this is stale when its owner cannot be checked (another computer).
LOCK_STALE_SECONDS = 600.0
#: Temporary files of the old naming scheme (no workbook name) are removed after this age.
TEMP_STALE_SECONDS = 3600.0

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 64 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_FORBIDDEN_XML = tuple(
    token.encode(encoding)
    for token in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_LOCK_SUFFIX = ".finsam-lock"
_HELD = threading.local()  # locks this thread holds: path -> waited


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",") + " MB"


def inspect_package(path: Path) -> None:
    """Raise WorkbookError unless ``path`` is a readable, unencrypted, sane xlsx/xlsm package."""
    if not path.exists():
        raise WorkbookError(f"{path}: filen finns inte.")
    if path.is_dir():
        raise WorkbookError(f"{path}: är en mapp, inte en arbetsbok.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
        size = path.stat().st_size
    except OSError as error:
        raise WorkbookError(f"{path}: kan inte läsa filen ({os_reason(error)}).") from None
    if head == OLE_MAGIC:
        raise WorkbookError(
            f"{path}: filen är lösenordsskyddad (krypterad) eller en gammal .xls-fil. "
            "Ta bort lösenordet (Arkiv > Info > Skydda arbetsbok) eller spara som .xlsx."
        )
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"{path}: filen är {_mb(size)}; en budgetarbetsbok är några hundra kB och "
            f"gränsen är {_mb(MAX_FILE_BYTES)}. Ta bort stora bilder eller blad och försök igen."
        )
    if not zipfile.is_zipfile(path):
        claim = ", fast namnet säger det" if path.suffix.lower() in (".xlsx", ".xlsm") else ""
        raise WorkbookError(f"{path}: filen är ingen Excel-arbetsbok (.xlsx/.xlsm){claim}.")
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
            _check_sizes(path, infos)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise WorkbookError(
                    f"{path}: zip-filen är ingen Excel-arbetsbok (saknar xl/workbook.xml)."
                )
            for info in infos:
                _scan_part(path, package, info)
    except zipfile.BadZipFile as error:
        raise WorkbookError(f"{path}: filen är skadad eller avkortad ({error}).") from None
    except (OSError, EOFError, ValueError) as error:  # zlib.error is not an OSError
        raise WorkbookError(
            f"{path}: filen är skadad och går inte att packa upp ({error})."
        ) from None
    except Exception as error:  # zlib.error and friends from a damaged deflate stream
        if type(error).__module__ == "zlib":
            raise WorkbookError(
                f"{path}: filen är skadad och går inte att packa upp ({error})."
            ) from None
        raise


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a package by its declared sizes, before anything is unpacked."""
    if len(infos) > MAX_PARTS:
        raise WorkbookError(
            f"{path}: paketet har orimligt många delar ({len(infos)}, högst {MAX_PARTS})."
        )
    total = compressed = 0
    for info in infos:
        if info.compress_type not in _ALLOWED_COMPRESSION:
            raise WorkbookError(
                f"{path}: delen {info.filename} är packad med en metod som Excel inte använder "
                f"({info.compress_type}); filen öppnas inte."
            )
        total += info.file_size
        compressed += info.compress_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_PART_RATIO:
            raise WorkbookError(
                f"{path}: delen {info.filename} packas upp till {_mb(info.file_size)} "
                f"(kvot {ratio:.0f}, högst {MAX_PART_RATIO}); filen ser ut som en zip-bomb "
                "och öppnas inte."
            )
    if total > MAX_UNCOMPRESSED:
        raise WorkbookError(
            f"{path}: filen packas upp till {_mb(total)}; det är för stort för en "
            f"budgetarbetsbok (högst {_mb(MAX_UNCOMPRESSED)}) och ser ut som en zip-bomb. "
            "Filen öppnas inte."
        )
    ratio = total / max(compressed, 1)
    if total > RATIO_FLOOR and ratio > MAX_RATIO:
        raise WorkbookError(
            f"{path}: filen packas upp {ratio:.0f} gånger (till {_mb(total)}; högst {MAX_RATIO} "
            "gånger); den ser ut som en zip-bomb och öppnas inte."
        )


def _scan_part(path: Path, package: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream one part (checking its CRC); refuse XML with a DOCTYPE anywhere, and Strict OOXML."""
    is_xml = info.filename.endswith(_XML_SUFFIXES) or info.filename == "[Content_Types].xml"
    keep = max(len(token) for token in _FORBIDDEN_XML) + len(_STRICT_NS)
    tail = b""
    with package.open(info) as part:
        while True:
            chunk = part.read(_CHUNK)
            if not chunk:
                return
            if not is_xml:
                continue
            window = tail + chunk
            if any(token in window for token in _FORBIDDEN_XML):
                raise WorkbookError(
                    f"{path}: delen {info.filename} innehåller otillåtna XML-entiteter "
                    "(DOCTYPE), som i en XML-bomb; filen öppnas inte. Spara om arbetsboken "
                    "i Excel."
                )
            if info.filename == "xl/workbook.xml" and _STRICT_NS in window:
                raise WorkbookError(
                    f"{path}: Strict Open XML stöds inte; spara som vanlig Excel-arbetsbok "
                    "(Arkiv › Spara som › Excel-arbetsbok (*.xlsx))."
                )
            tail = window[-keep:]


def verify_package(path: Path) -> None:
    """Re-read a package just written: every part unpacks (CRC) and every XML part parses.

    Raises ValueError with a short detail when it does not; the caller words the message.
    """
    part_name = ""
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise ValueError("xl/workbook.xml saknas")
            for info in package.infolist():
                part_name = info.filename
                parser = expat.ParserCreate() if part_name.endswith(_XML_SUFFIXES) else None
                if parser is not None:
                    parser.StartDoctypeDeclHandler = _refuse_doctype
                with package.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        if parser is not None:
                            parser.Parse(chunk, False)
                if parser is not None:
                    parser.Parse(b"", True)
    except expat.ExpatError as error:
        reason = expat.errors.messages.get(error.code, str(error))
        raise ValueError(f"{part_name}: ogiltig XML, {reason}, rad {error.lineno}") from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"{part_name}: {error}") from None


def _refuse_doctype(*_args: object) -> None:
    raise ValueError("DOCTYPE i utdata")


# --- locks ---------------------------------------------------------------------------------------


def owner_file(path: Path) -> Path:
    """The owner file Excel creates beside a workbook it has open: ``~$`` + the full name.

    Excel (unlike Word, which drops one or two leading characters of names of 7 or more
    characters) keeps the whole name: ``budget.xlsx`` -> ``~$budget.xlsx``, and
    ``A_budget.xlsx`` -> ``~$A_budget.xlsx``. (LibreOffice's MSO lock-file writer,
    svl/source/misc/msodocumentlockfile.cxx, follows the same rule.)
    """
    return path.with_name("~$" + path.name)


lock_file = owner_file  # the old name


def check_not_locked(path: Path) -> None:
    """Raise WorkbookError when the file is open in Excel or not writable."""
    owner = owner_file(path)
    if owner.exists():
        raise WorkbookError(
            f"{path}: filen är öppen i Excel (låsfilen {owner.name} finns). "
            "Stäng filen och försök igen, eller använd knappen Beräkna i Excel."
        )
    if path.exists():
        try:
            with path.open("r+b"):
                pass
        except PermissionError:
            raise WorkbookError(
                f"{path}: filen är låst eller skrivskyddad och kan inte skrivas över. Stäng "
                "den i andra program eller ta bort skrivskyddet (Egenskaper) och försök igen."
            ) from None


def write_lock_path(path: Path) -> Path:
    """The lock file finsam_xl keeps beside a workbook while it writes it."""
    return path.with_name(f".{path.name}{_LOCK_SUFFIX}")


def _lock_info(lock: Path) -> dict[str, object] | None:
    try:
        data = json.loads(lock.read_text(encoding="utf-8") or "{}")
        stat = lock.stat()
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        data, stat = {}, None
    info = data if isinstance(data, dict) else {}
    info["_mtime"] = stat.st_mtime if stat else time.time()
    return info


def _is_stale(info: dict[str, object]) -> bool:
    """A lock whose process is gone (same computer), or that is too old (any computer)."""
    pid, host = info.get("pid"), info.get("host")
    mtime = info.get("_mtime")
    if isinstance(mtime, float) and time.time() - mtime > LOCK_STALE_SECONDS:
        return True
    if pid is None and isinstance(mtime, float) and time.time() - mtime > 5:
        return True  # a live writer fills its lock file right after creating it
    if os.name == "posix" and host == socket.gethostname() and isinstance(pid, int):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return False


def _break_stale(lock: Path, seen: dict[str, object]) -> None:
    """Remove a stale lock, once: a second lock file serialises the breakers."""
    breaker = lock.with_name(lock.name + ".break")
    try:
        fd = os.open(breaker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        with contextlib.suppress(OSError):
            if time.time() - breaker.stat().st_mtime > 30:
                breaker.unlink()
        return
    os.close(fd)
    try:
        now = _lock_info(lock)
        if now is not None and {k: v for k, v in now.items() if k != "_mtime"} == {
            k: v for k, v in seen.items() if k != "_mtime"
        }:
            lock.unlink(missing_ok=True)
    finally:
        breaker.unlink(missing_ok=True)


@contextlib.contextmanager
def write_lock(path: Path, wait: float | None = None) -> Iterator[bool]:
    """Hold the write lock of ``path`` (an exclusive-create file beside it); yields ``waited``.

    Works on local disks and Windows (SMB) shares alike, since it needs only O_EXCL.
    A lock left by a killed run is stale (its process is gone, or it is older than
    LOCK_STALE_SECONDS) and is broken. ``waited`` is True when another run held the lock.
    The lock is reentrant within a thread: a job may hold it around its whole read, compute
    and write, and ``atomic_write`` inside then sees the job's ``waited``.
    """
    lock = write_lock_path(Path(os.path.abspath(path)))
    held = getattr(_HELD, "locks", None)
    if held is None:
        held = _HELD.locks = {}
    key = str(Path(os.path.abspath(lock)))
    if key in held:  # this thread holds it already (a job around its atomic_write)
        yield held[key]
        return
    deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
    waited = False
    content = json.dumps(
        {"pid": os.getpid(), "host": socket.gethostname(), "time": time.time()}
    ).encode()
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            fd = -1
        except FileNotFoundError:
            raise WorkbookError(f"{path}: mappen {lock.parent} finns inte.") from None
        except OSError as error:
            unchanged = f"{path.name} är oförändrad." if path.exists() else "Inget skrevs."
            raise WorkbookError(
                f"{path}: mappen {lock.parent} går inte att skriva i ({os_reason(error)}). Spara "
                f"arbetsboken i en mapp där du får skriva, eller be om skrivrätt. {unchanged}"
            ) from None
        if fd < 0:
            info = _lock_info(lock)
            if info is None:
                continue
            if _is_stale(info):
                _break_stale(lock, info)
                time.sleep(0.01)
                continue
            waited = True
            if time.monotonic() > deadline:
                started = info.get("time")
                when = (
                    time.strftime(" sedan %H:%M:%S", time.localtime(started))
                    if isinstance(started, float)
                    else ""
                )
                raise WorkbookError(
                    f"{path}: en annan körning av finsam-xl (process {info.get('pid', '?')} på "
                    f"{info.get('host', '?')}{when}) skriver filen. Försök igen om en stund; "
                    f"pågår ingen körning kan du ta bort låsfilen {lock.name}."
                ) from None
            time.sleep(0.05)
            continue
        try:
            os.write(fd, content)
        finally:
            os.close(fd)
        break
    held[key] = waited
    try:
        yield waited
    finally:
        del held[key]
        lock.unlink(missing_ok=True)


# --- leftovers -----------------------------------------------------------------------------------


def _temp_prefix(target: Path) -> str:
    return f".finsam-{target.stem}-"


def _leftover_pattern(target: Path) -> re.Pattern[str]:
    """Our temporary files for ``target``: prefix, mkstemp's 8 random characters, suffix."""
    return re.compile(
        re.escape(_temp_prefix(target))
        + r"[a-z0-9_]{8}(\.draft|\.backup)?"
        + re.escape(target.suffix)
        + r"\Z"
    )


_OLD_LEFTOVER = re.compile(r"\.finsam-[a-z0-9_]{8}(\.draft)?\.(xlsx|xlsm|se|si|sie)\Z")


def remove_leftovers(target: Path) -> list[Path]:
    """Remove temporary files a killed run left beside ``target``; only ours, by name and age.

    Call with the write lock held: files named for this workbook are then no other run's.
    Files of the old naming scheme (without the workbook's name) go when TEMP_STALE_SECONDS old.
    """
    pattern = _leftover_pattern(target)
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        ours = pattern.match(name) is not None
        if not ours and _OLD_LEFTOVER.match(name):
            with contextlib.suppress(OSError):
                ours = now - entry.stat().st_mtime > TEMP_STALE_SECONDS
        if ours:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


# --- atomic write --------------------------------------------------------------------------------


def backup_path(path: Path, number: int = 1) -> Path:
    """Backup ``number`` of ``path``: ``budget.xlsx`` -> ``budget.backup.xlsx``, then
    ``budget.backup.2.xlsx``, ``budget.backup.3.xlsx``, ... (the first is the oldest)."""
    tag = "backup" if number == 1 else f"backup.{number}"
    return path.with_name(f"{path.stem}.{tag}{path.suffix}")


def next_backup_path(path: Path) -> Path:
    """The first backup name of ``path`` that is not taken: a backup is never overwritten."""
    number = 1
    while True:
        candidate = backup_path(path, number)
        if not os.path.lexists(candidate):
            return candidate
        number += 1


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file (by path, or a link to it)."""
    if os.path.abspath(a) == os.path.abspath(b) or a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def _default_verify(path: Path) -> None:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        verify_package(path)


@contextlib.contextmanager
def _os_errors(what: Callable[[OSError], str]) -> Iterator[None]:
    """Turn an OS error into a Swedish WorkbookError."""
    try:
        yield
    except OSError as error:
        raise WorkbookError(what(error)) from None


def atomic_write(
    target: Path,
    produce: Callable[[Path], None],
    keep_backup: bool = True,
    verify: Callable[[Path], None] | None = _default_verify,
) -> Path | None:
    """Call ``produce(tmp)`` to write a temporary file, then move it into place atomically.

    Under the workbook's write lock: refuse a file open in Excel, remove leftovers of killed
    runs, produce, fsync and ``verify`` the new file (a workbook is re-read part by part),
    copy the previous ``target`` to ``next_backup_path(target)`` (itself atomically; a
    backup is never overwritten), rename. Returns the backup written, or None.
    On any error the temporary file is removed, ``target`` is untouched and the message
    (a Swedish WorkbookError) says so. A run that had to wait for another run's lock keeps
    the backup that run made, so the backup is the file as it was before both.
    """
    target = Path(os.path.abspath(target))
    folder = target.parent
    if not folder.is_dir():
        raise WorkbookError(f"{target}: mappen {folder} finns inte.")
    unchanged = f"{target.name} är oförändrad." if target.exists() else "Inget skrevs."

    def folder_error(error: OSError) -> str:
        if isinstance(error, PermissionError):
            return (
                f"{target}: mappen {folder} går inte att skriva i (behörighet saknas). Spara "
                f"arbetsboken i en mapp där du får skriva, eller be om skrivrätt. {unchanged}"
            )
        return f"{target}: kunde inte skriva i mappen {folder} ({os_reason(error)}). {unchanged}"

    with _os_errors(folder_error), write_lock(target) as waited:
        check_not_locked(target)
        remove_leftovers(target)
        fd, tmp_name = tempfile.mkstemp(
            prefix=_temp_prefix(target), suffix=target.suffix, dir=folder
        )
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            produce(tmp)
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            if verify is not None:
                try:
                    verify(tmp)
                except ValueError as error:
                    raise WorkbookError(
                        f"{target}: den nya versionen gick inte att läsa tillbaka ({error}) och "
                        f"sparades inte. {unchanged} Rapportera felet."
                    ) from None
            _set_mode(tmp, target)
            backup: Path | None = None
            if keep_backup and target.exists() and not (waited and backup_path(target).exists()):
                backup = next_backup_path(target)
                _write_backup(target, backup, unchanged)
            with _os_errors(
                lambda error: (
                    f"{target}: filen kan inte ersättas ({os_reason(error)}); den är skrivskyddad "
                    "eller öppen i ett annat program. Stäng den och försök igen. "
                    f"{unchanged}"
                )
            ):
                os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    return backup


def _write_backup(target: Path, backup: Path, unchanged: str) -> None:
    """Copy ``target`` to ``backup`` through a temporary file, so a kill leaves no half backup."""

    def message(error: OSError) -> str:
        return (
            f"{target}: säkerhetskopian {backup} kan inte skrivas ({os_reason(error)}); den är "
            "skrivskyddad eller öppen i ett annat program (t.ex. Excel). Stäng den eller ta "
            f"bort skrivskyddet och försök igen. {unchanged}"
        )

    with _os_errors(message):
        fd, name = tempfile.mkstemp(
            prefix=_temp_prefix(target), suffix=".backup" + target.suffix, dir=target.parent
        )
        os.close(fd)
        tmp = Path(name)
        try:
            shutil.copy2(target, tmp)
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, backup)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


def _set_mode(tmp: Path, target: Path) -> None:
    """Give the new file the old file's permissions, or the umask's for a new file.

    (mkstemp creates files readable by the owner only.)
    """
    if target.exists():
        shutil.copymode(target, tmp)
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
