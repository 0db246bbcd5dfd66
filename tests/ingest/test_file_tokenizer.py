"""The tokenizer read from the model's tokenizer.json gives the model exactly what its own
tokenizer gives, so ONNX can embed without torch."""

import shutil

import pytest

from ingest.file_tokenizer import FileTokenizer, model_tokenizer, same_tokens
from ingest.model_runtime import load_model, resolve_model_path
from ingest.onnx_backend import CHECK_TEXTS

TEXTS = CHECK_TEXTS + [
    "naïve café — “quoted” text, ½ cup",
    "HTTPServer.serve_forever() raised ConnectionResetError: [Errno 104]",
    "word " * 600,  # far past the 256-token limit: truncated, [SEP] kept
    "   leading and trailing spaces   ",
    "\t\n",
]


def test_ids_masks_and_token_types_equal_the_models_own_tokenizer():
    model = load_model("all-MiniLM-L6-v2", "cpu")
    ours = FileTokenizer(resolve_model_path("all-MiniLM-L6-v2"), model.max_seq_length)(TEXTS)
    theirs = model_tokenizer(model)(TEXTS)
    assert ours["input_ids"] == theirs["input_ids"]
    assert ours["attention_mask"] == theirs["attention_mask"]
    assert ours["token_type_ids"] == theirs["token_type_ids"]
    assert max(len(ids) for ids in ours["input_ids"]) == model.max_seq_length
    assert same_tokens(ours, theirs)


def test_different_ids_are_not_the_same_tokens():
    a = {"input_ids": [[101, 7592, 102]], "attention_mask": [[1, 1, 1]]}
    assert not same_tokens(a, {"input_ids": [[101, 7593, 102]], "attention_mask": [[1, 1, 1]]})
    assert not same_tokens(a, {"input_ids": [[101, 7592, 102]], "attention_mask": [[1, 1, 0]]})


def test_a_model_without_tokenizer_json_has_no_file_tokenizer(tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(resolve_model_path("all-MiniLM-L6-v2"), model_dir,
                    ignore=shutil.ignore_patterns("tokenizer.json", "*.safetensors"))
    with pytest.raises(FileNotFoundError, match="tokenizer.json"):
        FileTokenizer(model_dir, 256)
