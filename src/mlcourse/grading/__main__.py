"""Entry point of ``python -m mlcourse.grading``."""

from .cli import main

raise SystemExit(main())
