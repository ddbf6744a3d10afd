"""Where the annotated corpus is, for the extraction bench scripts — without importing the engine
(the engine's import is part of the start-up they measure; tasks/extraction/gold.py has the same
search for the trainer and the tests)."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_corpus():
    """$TRACKER_CORPUS, else the first ancestor of the repository holding shared/corpus (works from a git worktree)."""
    env = os.environ.get("TRACKER_CORPUS")
    if env:
        return Path(env)
    for parent in ROOT.parents:
        if (parent / "shared" / "corpus" / "manifest.json").exists():
            return parent / "shared" / "corpus"
    return None
