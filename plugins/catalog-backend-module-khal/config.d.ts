export interface Config {
  ladder?: {
    /**
     * Folder holding the local bare repositories that `khal.ai/source-repo: file:<name>.git`
     * names. The catalog reads `HEAD:khal-app.json` from `<root>/<name>.git`. Relative to the
     * backend process cwd. Default ../../data/repos.
     */
    localRepositoriesRoot?: string;
  };
}
