"""Views of a result: charts (Altair), offline export, the HTML report, output files.

Views read result tables and never change them; they import no solver.
"""
