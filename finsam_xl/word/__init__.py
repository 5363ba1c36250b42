"""Word documents: the budget section of the verksamhetsplan (python-docx, Pillow)."""
