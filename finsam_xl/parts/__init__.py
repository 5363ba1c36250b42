"""Parts added to a workbook package: xlwings Lite's code (``lite_part``) and the VBA
project with the buttons (``vba_part``)."""
