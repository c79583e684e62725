"""The `embedder` resource: which text encoder `document_embeddings` and `maslow similar` use."""

from __future__ import annotations

import dagster as dg

from platform_assets.processors import embeddings


class EmbedderResource(dg.ConfigurableResource):
    """`encoder`: `minilm_v1` (semantic; the optional extra, `make embeddings`) or `hashing_v1` (lexical).

    `device` is passed to PyTorch (`cpu`, `cuda`); `model_dir` points `minilm_v1` at another local
    sentence-transformers folder with the same 384-dimension output.
    """

    encoder: str = "minilm_v1"
    device: str = "cpu"
    batch_size: int = 64
    max_chars: int = 2000
    model_dir: str | None = None

    def get_encoder(self) -> embeddings.Encoder:
        if self.encoder == "minilm_v1":
            return embeddings.build(self.encoder, device=self.device, batch_size=self.batch_size,
                                    max_chars=self.max_chars, model_dir=self.model_dir)
        return embeddings.build(self.encoder)
