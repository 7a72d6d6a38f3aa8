import { EmptyState, ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';

/** Whether a request failed because the backend has no such migration (or item). */
export function isNotFound(error: Error): boolean {
  return (
    (error as any).response?.status === 404 || error.name === 'NotFoundError'
  );
}

/**
 * What a view shows when its data could not be loaded: for a migration the backend does not
 * know, that it does not exist yet and how to create it; otherwise the error and a retry.
 */
export function LoadFailure(props: {
  error: Error;
  /** What could not be loaded, after "Could not load". */
  what: string;
  retry: () => void;
  /** The migration the view shows, with how to create it, when a 404 means it is missing. */
  missing?: { migrationId: string; howToCreate: string };
}) {
  const { error, missing } = props;
  if (missing && isNotFound(error)) {
    return (
      <EmptyState
        missing="data"
        title={`Migration "${missing.migrationId}" does not exist yet`}
        description={missing.howToCreate}
      />
    );
  }
  return (
    <Box>
      <ResponseErrorPanel
        error={error}
        title={`Could not load ${props.what}`}
      />
      <Button
        variant="outlined"
        onClick={props.retry}
        style={{ marginTop: 16 }}
      >
        Try again
      </Button>
    </Box>
  );
}
