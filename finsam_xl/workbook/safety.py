"""Opening and saving workbook files without losing a user's data.

* ``inspect_package`` refuses, with a Swedish message, what is not a workbook
  this tool may open: a missing file, an encrypted (password-protected) file,
  a file that is not a zip package (a renamed .xls/.csv), a zip bomb.
* ``check_not_locked`` refuses a file that Excel has open (its ``~$`` owner
  file) or that the OS will not let us write.
* ``atomic_write`` writes a new file beside the target, fsyncs it, keeps the
  previous file as ``NAME.backup.xlsx`` and then renames into place, so a
  crash leaves either the old or the new file, never half of one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNCOMPRESSED = 500 * 1024 * 1024  # a budget workbook is a few MB
MAX_RATIO = 200  # compression ratio of one part beyond which it is treated as a bomb
MAX_PARTS = 10_000


class WorkbookError(Exception):
    """A workbook that cannot be used; ``str()`` is a Swedish message naming the file or cell."""


def inspect_package(path: Path) -> None:
    """Raise WorkbookError unless ``path`` is a readable, unencrypted, sane xlsx/xlsm package."""
    if not path.exists():
        raise WorkbookError(f"{path}: filen finns inte.")
    if path.is_dir():
        raise WorkbookError(f"{path}: är en mapp, inte en arbetsbok.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise WorkbookError(f"{path}: kan inte läsa filen ({error.strerror}).") from None
    if head == OLE_MAGIC:
        raise WorkbookError(
            f"{path}: filen är lösenordsskyddad (krypterad) eller en gammal .xls-fil. "
            "Ta bort lösenordet (Arkiv > Info > Skydda arbetsbok) eller spara som .xlsx."
        )
    if not zipfile.is_zipfile(path):
        claim = ", fast namnet säger det" if path.suffix.lower() in (".xlsx", ".xlsm") else ""
        raise WorkbookError(f"{path}: filen är ingen Excel-arbetsbok (.xlsx/.xlsm){claim}.")
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
            names = {i.filename for i in infos}
            if len(infos) > MAX_PARTS:
                raise WorkbookError(f"{path}: paketet har orimligt många delar ({len(infos)}).")
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > MAX_RATIO and info.file_size > 10 * 1024 * 1024:
                    raise WorkbookError(
                        f"{path}: delen {info.filename} packas upp till {info.file_size} byte "
                        f"(kvot {ratio:.0f}); filen ser ut som en zip-bomb och öppnas inte."
                    )
            if total > MAX_UNCOMPRESSED:
                raise WorkbookError(
                    f"{path}: filen packas upp till {total // 1024 // 1024} MB; "
                    "det är för stort för en budgetarbetsbok och ser ut som en zip-bomb."
                )
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise WorkbookError(
                    f"{path}: zip-filen är ingen Excel-arbetsbok (saknar xl/workbook.xml)."
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with package.open(info) as part:
                        head = part.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise WorkbookError(
                            f"{path}: delen {info.filename} innehåller otillåtna XML-entiteter "
                            "(DOCTYPE), som i en XML-bomb; filen öppnas inte."
                        )
            bad = package.testzip()
            if bad is not None:
                raise WorkbookError(
                    f"{path}: filen är skadad (delen {bad} går inte att packa upp)."
                )
    except zipfile.BadZipFile as error:
        raise WorkbookError(f"{path}: filen är skadad eller avkortad ({error}).") from None


def lock_file(path: Path) -> Path:
    """The owner file Excel creates beside an open workbook: ``~$NAME.xlsx``."""
    return path.with_name("~$" + path.name[2:] if len(path.name) > 2 else "~$" + path.name)


def check_not_locked(path: Path) -> None:
    """Raise WorkbookError when the file is open in Excel or not writable."""
    candidates = {path.with_name("~$" + path.name), lock_file(path)}
    for owner in candidates:
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
                f"{path}: filen är låst eller skrivskyddad och kan inte skrivas över."
            ) from None


def backup_path(path: Path) -> Path:
    """Where the previous version is kept: ``budget.xlsx`` -> ``budget.backup.xlsx``."""
    return path.with_name(f"{path.stem}.backup{path.suffix}")


def atomic_write(target: Path, produce: Callable[[Path], None], keep_backup: bool = True) -> None:
    """Call ``produce(tmp)`` to write a temporary file, then move it into place atomically.

    The previous ``target`` (if any) is copied to ``backup_path(target)`` first.
    On any error the temporary file is removed and ``target`` is untouched.
    """
    target = target.resolve()
    if not target.parent.is_dir():
        raise WorkbookError(f"{target}: mappen {target.parent} finns inte.")
    check_not_locked(target)
    fd, tmp_name = tempfile.mkstemp(prefix=".finsam-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        produce(tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        _set_mode(tmp, target)
        if keep_backup and target.exists():
            shutil.copy2(target, backup_path(target))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
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
