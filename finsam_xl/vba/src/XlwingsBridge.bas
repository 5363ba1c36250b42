Attribute VB_Name = "XlwingsBridge"
' RunPython for workbooks built without the embedded xlwings VBA module.
'
' It forwards the call to RunPython in the xlwings add-in (xlwings.xlam, installed
' with "xlwings addin install").  Calling through Application.Run needs no VBA
' reference to the add-in, so the project compiles even where the add-in is
' missing; the user then gets a message instead of a compile error.
' The add-in's RunPython works on the active workbook, which is this one when a
' button in it is clicked.
Option Explicit

Private Const ADDIN_NAME As String = "xlwings.xlam"

Public Function RunPython(ByVal PythonCommand As String) As Variant
    On Error GoTo Failed
    RunPython = Application.Run("'" & ADDIN_NAME & "'!RunPython", PythonCommand)
    Exit Function
Failed:
    ' ASCII source: the letter a with diaeresis is ChrW(228).
    MsgBox "Python kunde inte startas via xlwings-till" & ChrW(228) & "gget (" & ADDIN_NAME & _
           ")." & vbCrLf & "Kontrollera att xlwings " & ChrW(228) & _
           "r installerat: xlwings addin install" & vbCrLf & vbCrLf & _
           "Fel " & Err.Number & ": " & Err.Description, vbExclamation, "Finsam XL"
    RunPython = -1
End Function
