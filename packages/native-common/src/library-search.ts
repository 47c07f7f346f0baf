/** Where a library candidate came from, in search order. */
export type LibrarySource = 'option' | 'env' | 'standard';

/** One place the loader will try. */
export interface LibraryCandidate {
  /** A path (contains a slash) or a bare file name resolved by the dynamic linker's own search. */
  readonly path: string;
  readonly source: LibrarySource;
}

/** How a vendor library is searched for. */
export interface LibrarySearch {
  /** An explicit path given by the application; when set, it is tried first. */
  readonly explicit?: string | undefined;
  /** Environment variable holding a path, tried second (e.g. `HOTLINE_SANHUI_LIB`). */
  readonly envVar: string;
  /** Bare file names tried through the dynamic linker (LD_LIBRARY_PATH, ld.so.cache, /lib, /usr/lib). */
  readonly names: readonly string[];
  /** Vendor install folders tried after the linker's search, each with every name. */
  readonly dirs: readonly string[];
}

/**
 * The documented search order of every Hotline vendor addon: the explicit option, then the
 * environment variable, then each bare name through the dynamic linker, then each vendor folder.
 * An explicit option or variable is not an extra candidate but the only one of its kind: a
 * mistyped path fails loudly rather than silently falling back to another copy of the library.
 */
export function libraryCandidates(search: LibrarySearch, env: NodeJS.ProcessEnv = process.env): LibraryCandidate[] {
  if (search.explicit) return [{ path: search.explicit, source: 'option' }];
  const fromEnv = env[search.envVar];
  if (fromEnv) return [{ path: fromEnv, source: 'env' }];
  const out: LibraryCandidate[] = search.names.map((name) => ({ path: name, source: 'standard' as const }));
  for (const dir of search.dirs) {
    for (const name of search.names) out.push({ path: `${dir.replace(/\/+$/, '')}/${name}`, source: 'standard' });
  }
  return out;
}
