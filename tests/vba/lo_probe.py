"""Inspect .xlsm files in headless LibreOffice; run with the system python3 that has uno.

Usage: python3 lo_probe.py PROFILE_DIR REQUEST_JSON

REQUEST_JSON is a list of {"path": ..., "run": [script URL or button caption, ...],
"cells": [[sheet index, "A1"], ...]}.  For each file the script prints, as one JSON
document on stdout: the Basic libraries and their modules (type, source), the
form controls with their bound scripts, the result of running the requested
scripts, and the listed cells afterwards.  It starts its own soffice with a private
profile and stops it again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
import uuid

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

# com.sun.star.script.ModuleType constants
MODULE_TYPES = {0: "unknown", 1: "normal", 2: "class", 3: "form", 4: "document"}


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def connect(pipe: str, deadline: float) -> object:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def inspect(desktop: object, request: dict) -> dict:
    url = uno.systemPathToFileUrl(os.path.abspath(request["path"]))
    doc = desktop.loadComponentFromURL(
        url, "_blank", 0, (prop("Hidden", True), prop("MacroExecutionMode", 4))
    )
    out: dict = {"libraries": {}, "controls": [], "runs": [], "cells": {}}
    try:
        out["workbook_code_name"] = doc.getPropertyValue("CodeName")
    except Exception as error:  # noqa: BLE001
        out["workbook_code_name_error"] = repr(error)
    try:
        libs = doc.BasicLibraries
        for lib_name in libs.getElementNames():
            libs.loadLibrary(lib_name)
            lib = libs.getByName(lib_name)
            modules = {}
            for module_name in lib.getElementNames():
                info = {"source": lib.getByName(module_name)}
                try:
                    vba_info = lib.getModuleInfo(module_name)
                    info["type"] = MODULE_TYPES.get(vba_info.ModuleType, str(vba_info.ModuleType))
                except Exception as error:  # noqa: BLE001
                    info["type_error"] = repr(error)
                modules[module_name] = info
            out["libraries"][lib_name] = modules
        out["vba_mode"] = bool(libs.VBACompatibilityMode)
        sheets = doc.Sheets
        out["sheets"] = []
        for index in range(sheets.getCount()):
            sheet = sheets.getByIndex(index)
            out["sheets"].append({"name": sheet.Name, "code_name": sheet.CodeName})
            forms = sheet.getDrawPage().getForms()
            for form_index in range(forms.getCount()):
                form = forms.getByIndex(form_index)
                for control_index in range(form.getCount()):
                    model = form.getByIndex(control_index)
                    events = [
                        {
                            "listener": e.ListenerType,
                            "method": e.EventMethod,
                            "type": e.ScriptType,
                            "code": e.ScriptCode,
                        }
                        for e in form.getScriptEvents(control_index)
                    ]
                    out["controls"].append(
                        {"sheet": index, "label": getattr(model, "Label", None), "events": events}
                    )
        provider = doc.getScriptProvider()
        for target in request.get("run", []):
            script_url = target
            if not target.startswith("vnd.sun.star.script:"):
                matches = [
                    e["code"]
                    for c in out["controls"]
                    if c["label"] == target
                    for e in c["events"]
                    if e["method"] == "actionPerformed"
                ]
                script_url = matches[0] if matches else ""
            result = {"target": target, "url": script_url}
            try:
                script = provider.getScript(script_url)
                value = script.invoke((), (), ())
                result["ok"] = True
                result["value"] = repr(value[0]) if isinstance(value, tuple) else repr(value)
            except Exception as error:  # noqa: BLE001
                result["ok"] = False
                result["error"] = repr(error)
            out["runs"].append(result)
        for sheet_index, cell in request.get("cells", []):
            value = sheets.getByIndex(sheet_index).getCellRangeByName(cell)
            out["cells"][f"{sheet_index}!{cell}"] = value.getString()
    finally:
        doc.close(True)
    return out


def main() -> int:
    profile, request_json = sys.argv[1], sys.argv[2]
    requests = json.loads(request_json)
    pipe = "finsam_vba_" + uuid.uuid4().hex
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={uno.systemPathToFileUrl(os.path.abspath(profile))}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: list = []
    try:
        context = connect(pipe, time.monotonic() + 90)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        for request in requests:
            try:
                results.append(inspect(desktop, request))
            except Exception:  # noqa: BLE001
                results.append({"error": traceback.format_exc()})
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001
            pass
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
