"""The adapter kit: what every marketplace adapter and client needs, written once.

- :mod:`.values`: numbers (one rule: finite decimals only), money, text and times on the wire;
- :mod:`.config`: :class:`ConfigReader`, typed config reads with errors naming key and fix;
- :mod:`.batches`: send-then-poll (:class:`BatchSending`), the bounded :class:`SentMemory`,
  :func:`last_per_key`, :func:`check_batch_size`;
- :mod:`.walker`: :class:`StagedWalker`, paged listings over stages × windows × pages with a
  resumable token;
- :mod:`.answers`: :class:`AnswerModel` and :func:`parse_answer` for pydantic answer models.

Authentication lives in :mod:`mpdash.marketplaces.auth`, shared flows and config keys in
:mod:`mpdash.marketplaces.common_config`. Only what two or more marketplaces use belongs here.
"""

from .answers import AnswerModel, answer_parser, describe, none_as_empty_list, parse_answer
from .batches import BatchSending, SentMemory, check_batch_size, chunks, last_per_key
from .config import ConfigReader, require_set
from .values import (
    CENT,
    aware,
    blank,
    cents,
    check_page,
    epoch_ms,
    from_ms,
    moment,
    money,
    ms_window,
    number_text,
    path_part,
    required_text,
    same_amount,
    text,
    text_or_none,
    to_decimal,
    truthy,
    wire_amount,
    wire_int,
)
from .walker import Chunk, Cursor, StagedWalker, depth_first, each_record, read_pages

__all__ = [
    "CENT", "AnswerModel", "BatchSending", "Chunk", "ConfigReader", "Cursor", "SentMemory", "StagedWalker", "answer_parser",
    "aware", "blank", "cents", "check_page", "check_batch_size", "chunks", "depth_first", "describe", "each_record", "epoch_ms", "from_ms", "ms_window",
    "last_per_key", "moment", "money", "none_as_empty_list", "number_text", "parse_answer", "path_part", "read_pages", "required_text", "require_set", "same_amount", "text", "text_or_none",
    "to_decimal", "truthy", "wire_amount", "wire_int",
]
