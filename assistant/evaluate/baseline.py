"""The LangChain RAG tutorial pipeline, as the yardstick: RecursiveCharacterTextSplitter
(1000/200, start index), Chroma similarity search, the same embedding model, and the top chunk
as its "answer"."""

from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ingest.embeddings import SentenceEmbeddings
from ingest.errors import LoadError
from ingest.load import load_file
from ingest.store import make_client

_BATCH = 1000


class WholeTextEmbeddings(Embeddings):
    """The tutorial's embedding: each chunk through the model whole, in sentence-transformers'
    default batches of 32, as HuggingFaceEmbeddings does. Same loaded model as ours, but none of
    our tuning (sentence split, batch size) and none of our sentence-vector memo."""

    BATCH = 32  # sentence-transformers' default, which the tutorial's HuggingFaceEmbeddings keeps

    def __init__(self, embeddings: SentenceEmbeddings) -> None:
        self.embeddings = embeddings

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.embeddings.model.encode(
            texts, batch_size=self.BATCH, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]  # float32 like the documents, as the tutorial


class TutorialPipeline:
    def __init__(
        self, embeddings: SentenceEmbeddings, data_dir: str | Path, collection: str = "baseline"
    ):
        from langchain_chroma import Chroma

        self.store = Chroma(
            client=make_client(data_dir),
            collection_name=collection,
            embedding_function=WholeTextEmbeddings(embeddings),
        )

    def ingest(self, files: list[Path]) -> tuple[int, list[tuple[str, str]]]:
        """Load, split 1000/200, add to Chroma: (number of chunks, [(path, why it failed)]).
        It reads files with our loader, so both pipelines see the same extracted text and the
        comparison is of splitting and retrieval, not of file parsing."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        docs, failed = [], []
        for path in files:
            try:
                loaded = load_file(path)
            except LoadError as exc:
                failed.append((str(path), str(exc)))
                continue
            docs.append(Document(page_content=loaded.text, metadata={"source": str(path)}))
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=1000, chunk_overlap=200, add_start_index=True
        )
        chunks = splitter.split_documents(docs)
        # Chroma rejects one write larger than its max batch size (about 5k records).
        for i in range(0, len(chunks), _BATCH):
            self.store.add_documents(chunks[i : i + _BATCH])
        return len(chunks), failed

    def retrieve(self, question: str, k: int = 4) -> list[Document]:
        return self.store.similarity_search(question, k=k)

    def answer(self, question: str, k: int = 4) -> tuple[str, list[Document]]:
        docs = self.retrieve(question, k)
        return (docs[0].page_content if docs else ""), docs
