Attribute VB_Name = "FinsamServer"
' Finsam XL: the workbook's buttons, calling the finsam_xl server (finsam-xl server).
'
' RunServerPython is xlwings' BSD-licensed VBA client (module Remote, with
' WebClient, WebRequest, WebResponse, WebHelpers, IWebAuthenticator and the
' standalone module xlwings for GetConfig), embedded unchanged from the xlwings
' package installed where the workbook was built.  It sends this workbook as
' JSON to the address below and applies the changes the server sends back.
' The key is read from AUTH in xlwings.conf (the user's file, not this workbook).
' The address was written by "finsam-xl ny --xlsm --server URL".
' The source is pure ASCII: Swedish letters are built with ChrW.
Option Explicit

Private Const SERVER_URL As String = "https://finsam.example.invalid"

' Recalculate the budget.
Public Sub Berakna()
    RunServerPython SERVER_URL & "/berakna"
End Sub

' Check the workbook and report problems.
Public Sub Kontrollera()
    RunServerPython SERVER_URL & "/kontrollera"
End Sub

' Next year's workbook is made with the command line, not through the server.
Public Sub NyttAr()
    MsgBox "N" & ChrW(228) & "sta " & ChrW(229) & "rs arbetsbok skapas inte via servern. " & _
           "Be den som sk" & ChrW(246) & "ter verktyget k" & ChrW(246) & "ra " & _
           "finsam-xl nytt-ar p" & ChrW(229) & " den sparade filen.", vbInformation, "Finsam XL"
End Sub

' Self-test for IT: the server computes the bundled example budgets and compares every figure.
Public Sub Sjalvtest()
    RunServerPython SERVER_URL & "/sjalvtest"
End Sub
