"""A LangChain RecordManager whose records live in a Chroma collection.

Keeping the sync records in the same Chroma as the vectors means the embedded store and a Chroma
server behave the same, several processes in front of one server share one truth, and records
and vectors cannot drift apart by losing one of two files.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from langchain_core.indexing import RecordManager

# Chroma stores vectors; records have none, so each carries this one-dimensional placeholder.
_NO_VECTOR = [0.0]
_PAGE = 5000  # Chroma caps the size of one get/upsert


class ChromaRecordManager(RecordManager):
    def __init__(self, client, collection_name: str) -> None:
        super().__init__(namespace=collection_name)
        self._client = client
        self._name = collection_name
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:
            self.create_schema()
        return self._collection

    def create_schema(self) -> None:
        self._collection = self._client.get_or_create_collection(
            self._name, embedding_function=None, metadata={"kind": "sync-records"}
        )

    def get_time(self) -> float:
        return time.time()

    def update(
        self,
        keys: Sequence[str],
        *,
        group_ids: Sequence[str | None] | None = None,
        time_at_least: float | None = None,
    ) -> None:
        if not keys:
            return
        now = self.get_time()
        if time_at_least and now < time_at_least:
            raise ValueError(f"clock went backwards: {now} < {time_at_least}")
        group_ids = group_ids or [None] * len(keys)
        for i in range(0, len(keys), _PAGE):
            ks, gs = keys[i : i + _PAGE], group_ids[i : i + _PAGE]
            self.collection.upsert(
                ids=list(ks),
                embeddings=[_NO_VECTOR] * len(ks),
                metadatas=[{"group_id": g or "", "updated_at": now} for g in gs],
            )

    def exists(self, keys: Sequence[str]) -> list[bool]:
        found: set[str] = set()
        for i in range(0, len(keys), _PAGE):
            found.update(self.collection.get(ids=list(keys[i : i + _PAGE]), include=[])["ids"])
        return [k in found for k in keys]

    def list_keys(
        self,
        *,
        before: float | None = None,
        after: float | None = None,
        group_ids: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[str]:
        clauses: list[dict] = []
        if before is not None:
            clauses.append({"updated_at": {"$lt": before}})
        if after is not None:
            clauses.append({"updated_at": {"$gt": after}})
        if group_ids is not None:
            clauses.append({"group_id": {"$in": list(group_ids)}})
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        return self.collection.get(where=where, limit=limit, include=[])["ids"]

    def delete_keys(self, keys: Sequence[str]) -> None:
        for i in range(0, len(keys), _PAGE):
            self.collection.delete(ids=list(keys[i : i + _PAGE]))

    def keys_by_group(self) -> dict[str, set[str]]:
        """{group id (a document's source): its record keys}, for every record."""
        got = self.collection.get(include=["metadatas"])
        out: dict[str, set[str]] = {}
        for key, meta in zip(got["ids"], got["metadatas"] or []):
            out.setdefault(meta["group_id"], set()).add(key)
        return out

    def groups(self) -> dict[str, dict]:
        """{group id: {"chunks": n, "updated_at": newest record time}}."""
        out: dict[str, dict] = {}
        for meta in self.collection.get(include=["metadatas"])["metadatas"] or []:
            entry = out.setdefault(meta["group_id"], {"chunks": 0, "updated_at": 0.0})
            entry["chunks"] += 1
            entry["updated_at"] = max(entry["updated_at"], meta["updated_at"])
        return out

    # The async API is part of the interface; this project indexes synchronously.
    async def acreate_schema(self) -> None:
        self.create_schema()

    async def aget_time(self) -> float:
        return self.get_time()

    async def aupdate(self, keys, *, group_ids=None, time_at_least=None) -> None:
        self.update(keys, group_ids=group_ids, time_at_least=time_at_least)

    async def aexists(self, keys):
        return self.exists(keys)

    async def alist_keys(self, *, before=None, after=None, group_ids=None, limit=None):
        return self.list_keys(before=before, after=after, group_ids=group_ids, limit=limit)

    async def adelete_keys(self, keys) -> None:
        self.delete_keys(keys)
