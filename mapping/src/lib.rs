//! Legacy codes and the API catalog.
