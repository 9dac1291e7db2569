import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { Entity } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { MANIFEST_FILENAME, MANIFEST_PROBLEM_ANNOTATION } from '@khal/plugin-ladder-common';

/**
 * Whether the catalog found the entity's khal-app.json missing or invalid. The catalog module
 * records that as an annotation rather than a processing error, because a processing error would
 * keep a new entity out of the catalog altogether (see KhalManifestProcessor).
 */
export function hasManifestProblem(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[MANIFEST_PROBLEM_ANNOTATION]);
}

/**
 * The catalog's finding about the entity's khal-app.json, shown the way the catalog's own
 * processing errors are (an error panel at the top of the overview); the ladder's manifest-valid
 * check fails for the same reason.
 */
export function ManifestProblemPanel() {
  const { entity } = useEntity();
  const problem = entity.metadata.annotations?.[MANIFEST_PROBLEM_ANNOTATION];
  if (!problem) return null;
  return (
    <Alert severity="error" role="alert">
      <AlertTitle>The catalog could not use this entity's {MANIFEST_FILENAME}</AlertTitle>
      <Box component="pre" whiteSpace="pre-wrap" fontFamily="inherit" margin={0}>
        {problem}
      </Box>
      <Typography variant="body2">
        Promotions of this entity are blocked by the manifest-valid check until the file is fixed; the catalog reads it
        again on its next refresh.
      </Typography>
    </Alert>
  );
}
