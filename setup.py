"""Packaging that pyproject.toml cannot say: the shipped specs as package data.

NOTE(shipped-specs): the checkout's specs/ is the one copy of the shipped specs. A wheel maps
that directory to the data package `seamcheck_specs` (package_dir), so an installed seamcheck
finds its default suite on sys.path, in import order, wherever it runs from (issue 18: a
regular install looked for site-packages/specs). pyproject.toml's package-data names the files;
`shipped_specs` in checker/run/specs.py is the one function that finds them. The package list
is computed (find_packages), so a new subpackage of model/ or checker/ is never left out.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["model", "model.*", "checker", "checker.*"]), "seamcheck_specs"],
      package_dir={"seamcheck_specs": "specs"})
