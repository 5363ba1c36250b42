"""``python -m finsam_xl``: the same as the ``finsam-xl`` command."""

from finsam_xl.cli import main

main()
