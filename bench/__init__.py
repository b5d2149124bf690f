"""bestshore's benchmark suite (issue 6): scenario generator, reference formulations, runner.

Not part of the package and not collected by the tests: ``make bench`` runs it and
writes ``bench/results.md`` and ``docs/scaling.{png,svg}``. See ``bench/README.md``.
"""
