Attribute VB_Name = "FinsamXL"
' Finsam XL: the workbook's buttons.
'
' Each macro hands over to Python through xlwings' RunPython.  The Python side is
' the module finsam_xl.excel.button; it finds this workbook with
' xlwings.Book.caller(), so nothing here depends on the workbook's file name.
'
' RunPython comes either from the embedded xlwings module (standalone build) or
' from the module XlwingsBridge, which forwards to the xlwings add-in.
' The source is pure ASCII (Swedish letters are built with ChrW), so that no code
' page on Windows or macOS can garble it.
Option Explicit

' Recalculate the budget.
Public Sub Berakna()
    RunPython "import finsam_xl.excel.button as b; b.recalc()"
End Sub

' Check the workbook and report problems.
Public Sub Kontrollera()
    RunPython "import finsam_xl.excel.button as b; b.check()"
End Sub

' Create next year's workbook from this one.
Public Sub NyttAr()
    RunPython "import finsam_xl.excel.button as b; b.next_year()"
End Sub

' Self-test for IT: compute the bundled example budgets and compare every figure.
Public Sub Sjalvtest()
    RunPython "import finsam_xl.excel.button as b; b.selftest()"
End Sub
