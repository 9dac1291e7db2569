export interface Config {
  khal?: {
    localGit?: {
      /**
       * Folder holding the bare repositories khal:publish:local creates (<root>/<repoName>.git).
       * Relative to the backend process cwd. Defaults to ladder.localRepositoriesRoot, else
       * ../../data/repos.
       */
      root?: string;
    };
    localCatalog?: {
      /**
       * Folder khal:catalog:register-local writes <name>/catalog-info.yaml into. The catalog must
       * read it through a `type: file` location with target <root>/*\/catalog-info.yaml.
       * Relative to the backend process cwd. Default ../../data/catalog.
       */
      root?: string;
    };
  };
}
