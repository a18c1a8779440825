"""Build hook: the gettext catalogues are compiled into the package when it is built (the
.mo files are not committed), so that `pip install .` and a wheel serve Vietnamese.
Everything else about the package is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """build_py, then every translations/<language>/LC_MESSAGES/messages.po compiled to .mo
    beside it in the build."""

    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        translations = Path(self.build_lib, "tracker", "translations")
        for po_path in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
            with po_path.open("rb") as source:
                catalogue = read_po(source, locale=po_path.parents[1].name)
            with po_path.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalogue)


setup(cmdclass={"build_py": BuildWithCatalogues})
