"""The two indexes behind small interfaces (keyword: Whoosh, vector: FAISS), the embedder, fusion."""
