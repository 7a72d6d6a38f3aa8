import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  Approval,
  ApprovalDecision,
  ApprovalRequest,
  cutoverApprovalDecidePermission,
  cutoverMigrationUpdatePermission,
  Readiness,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { ActionDialog } from '../common/ActionDialog';
import { ACTIONS_COLUMN, DataTable, TableColumn } from '../common/DataTable';
import { errorMessage, formatDateTime, formatRelative, formatUserRef } from '../common/format';
import { AllPages, loadAllPages } from '../common/paging';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';

type Action = { kind: 'request' } | { kind: 'decide'; decision: ApprovalDecision } | { kind: 'revoke'; approval: Approval };

const STATUS_TEXT: Record<Readiness['approval']['status'], string> = {
  NONE: 'No approval requested',
  PENDING: 'Waiting for approvers',
  APPROVED: 'Approved',
  CONDITIONALLY_APPROVED: 'Approved with conditions',
  REJECTED: 'Rejected',
  EXPIRED: 'Approval expired',
  STALE: 'Approval stale: readiness fell since',
};

/** What can change an approval, or what its decisions' derived flags (expired, stale) depend on. */
const HISTORY_SIGNALS = ['approval', 'checklist', 'progress', 'quality', 'alert', 'readsource', 'reconciliation'] as const;

/** Every decision (following `nextCursor`) and every request they were made on. */
type ApprovalHistoryPages = AllPages<Approval> & { requests: ApprovalRequest[] };

const matches = (term: string, ...values: Array<string | null | undefined>) =>
  values.some(v => !!v && v.toLocaleLowerCase().includes(term.toLocaleLowerCase()));

/** A decision, as the history's first column names it: `APPROVED (revoked) · someone`. */
function decisionText(a: Approval) {
  return `${a.decision}${a.revokedAt ? ' (revoked)' : ''}${a.expired ? ' (expired)' : ''}${a.stale ? ' (stale)' : ''} · ${formatUserRef(a.approver)}`;
}

/** Comments, conditions, override and revocation of a decision. */
function decisionNotes(a: Approval) {
  return [
    a.comments,
    a.conditions.length ? `Conditions: ${a.conditions.join('; ')}` : null,
    a.overrideReason ? `Override: ${a.overrideReason}` : null,
    a.revokedAt ? `Revoked by ${formatUserRef(a.revokedBy ?? '')}: ${a.revokeReason}` : null,
  ]
    .filter(Boolean)
    .join(' — ');
}

/** Requesting, deciding and revoking cutover approval; buttons only for those allowed. */
export function ApprovalPanel(props: { migrationId: string; readiness: Readiness; onChanged: () => void }) {
  const { migrationId, readiness } = props;
  const state = readiness.approval;
  const api = useApi(cutoverApiRef);
  const canRequest = usePermission({ permission: cutoverMigrationUpdatePermission, resourceRef: migrationId }).allowed;
  const canDecide = usePermission({ permission: cutoverApprovalDecidePermission, resourceRef: migrationId }).allowed;
  const [action, setAction] = useState<Action>();
  const [comments, setComments] = useState('');
  const [conditions, setConditions] = useState('');
  const [override, setOverride] = useState('');
  const history = useLiveCutoverData<ApprovalHistoryPages>(
    migrationId,
    async (client, id) => {
      let requests: ApprovalRequest[] = [];
      const all = await loadAllPages(async cursor => {
        const page = await client.listApprovals(id, { cursor });
        // Every page carries every request.
        if (!cursor) requests = page.requests;
        return page;
      });
      return { ...all, requests };
    },
    [...HISTORY_SIGNALS],
  );
  const open = state.request?.status === 'OPEN';
  // A new request makes sense when there is none, or the last one no longer holds.
  const mayRequest = ['NONE', 'REJECTED', 'EXPIRED', 'STALE'].includes(state.status) && !open;

  const send = async () => {
    if (action?.kind === 'request') {
      await api.requestApproval(migrationId, comments ? { comments } : {});
    } else if (action?.kind === 'decide') {
      await api.decideApproval(migrationId, {
        decision: action.decision,
        ...(comments ? { comments } : {}),
        ...(action.decision === 'CONDITIONAL'
          ? { conditions: conditions.split('\n').map(c => c.trim()).filter(Boolean) }
          : {}),
        ...(override ? { overrideReason: override } : {}),
      });
    } else if (action?.kind === 'revoke') {
      await api.revokeApproval(migrationId, action.approval.id, comments);
    }
  };
  const clear = () => {
    setAction(undefined);
    setComments('');
    setConditions('');
    setOverride('');
  };
  const submission = useSubmit(send, () => {
    clear();
    props.onChanged();
    history.retry();
  });
  const close = () => {
    clear();
    submission.reset();
  };

  let title = '';
  if (action?.kind === 'request') title = 'Request cutover approval';
  if (action?.kind === 'decide') title = { APPROVED: 'Approve the cutover', CONDITIONAL: 'Approve with conditions', REJECTED: 'Reject the cutover' }[action.decision];
  if (action?.kind === 'revoke') title = `Revoke ${formatUserRef(action.approval.approver)}'s ${action.approval.decision.toLowerCase()} decision`;

  const currentRequest = state.request?.id;
  const requests = new Map((history.value?.requests ?? []).map(r => [r.id, r]));
  const requestText = (a: Approval) => {
    if (a.requestId === currentRequest) return 'current';
    const r = requests.get(a.requestId);
    return r ? `earlier, of ${formatDateTime(r.requestedAt)}` : 'earlier';
  };
  const columns: TableColumn<Approval>[] = [
    {
      title: 'Decided',
      field: 'decidedAt',
      defaultSort: 'desc',
      searchable: false,
      render: a => (
        <Typography variant="body2" noWrap title={formatRelative(a.decidedAt)}>
          {formatDateTime(a.decidedAt)}
        </Typography>
      ),
    },
    {
      title: 'Decision',
      field: 'decision',
      customFilterAndSearch: (term: string, a) => matches(term, decisionText(a), a.approver),
      render: a => <Typography variant="body2">{decisionText(a)}</Typography>,
    },
    {
      title: 'Readiness then',
      field: 'score',
      type: 'numeric',
      customFilterAndSearch: (term: string, a) =>
        matches(term, a.recommendation.replace(/_/g, ' '), a.riskLevel, String(a.score)),
      render: a => (
        <Typography variant="body2" noWrap>
          {a.recommendation.replace(/_/g, ' ')}, score {a.score}, risk {a.riskLevel}
        </Typography>
      ),
    },
    {
      title: 'Request',
      field: 'requestId',
      customSort: (a, b) => requestText(a).localeCompare(requestText(b)),
      customFilterAndSearch: (term: string, a) => matches(term, requestText(a)),
      render: a => requestText(a),
    },
    {
      title: 'Notes',
      field: 'comments',
      sorting: false,
      customFilterAndSearch: (term: string, a) => matches(term, decisionNotes(a)),
      render: a => (
        <Typography variant="body2" color="textSecondary">
          {decisionNotes(a)}
        </Typography>
      ),
    },
  ];
  if (canDecide) {
    columns.push({
      ...ACTIONS_COLUMN,
      // Decisions on the current request may be taken back; earlier ones are history.
      render: a =>
        !a.revokedAt && a.requestId === currentRequest ? (
          <Button size="small" onClick={() => setAction({ kind: 'revoke', approval: a })}>
            Revoke
          </Button>
        ) : null,
    });
  }

  return (
    <InfoCard title="Approval">
      <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 12 }}>
        <Typography variant="h6" data-testid="approval-status">
          {STATUS_TEXT[state.status]}
        </Typography>
        <Chip size="small" label={`${state.granted} of ${state.required} approvals`} />
      </Box>
      {state.request && (
        <Typography variant="body2" color="textSecondary">
          Requested by {formatUserRef(state.request.requestedBy)} {formatRelative(state.request.requestedAt)}
          {state.request.comments ? `: “${state.request.comments}”` : ''}
        </Typography>
      )}
      {state.conditions.length > 0 && (
        <Alert severity="warning" style={{ marginTop: 8 }}>
          Conditions: {state.conditions.join('; ')}
        </Alert>
      )}
      <Box mt={2} display="flex" flexWrap="wrap" style={{ gap: 8 }}>
        {canRequest && mayRequest && (
          <Button variant="contained" color="primary" onClick={() => setAction({ kind: 'request' })}>
            Request approval
          </Button>
        )}
        {canDecide && open && (
          <>
            <Button variant="contained" color="primary" onClick={() => setAction({ kind: 'decide', decision: 'APPROVED' })}>
              Approve
            </Button>
            <Button variant="outlined" color="primary" onClick={() => setAction({ kind: 'decide', decision: 'CONDITIONAL' })}>
              Approve with conditions
            </Button>
            <Button variant="outlined" color="secondary" onClick={() => setAction({ kind: 'decide', decision: 'REJECTED' })}>
              Reject
            </Button>
          </>
        )}
      </Box>
      {history.error && (
        <Alert severity="error" style={{ marginTop: 8 }}>
          Approval history: {errorMessage(history.error)}
        </Alert>
      )}
      {history.value && history.value.items.length > 0 && (
        <Box mt={2}>
          <DataTable<Approval>
            title={`Approval history (${history.value.totalCount})`}
            columns={columns}
            data={history.value.items}
            rowTestId={a => `approval-${a.id}`}
            style={{ boxShadow: 'none' }}
          />
        </Box>
      )}
      <ActionDialog
        open={!!action}
        title={title}
        description={
          action?.kind === 'decide'
            ? `Readiness now: ${readiness.recommendation.replace(/_/g, ' ')}, score ${readiness.score}, risk ${readiness.riskLevel}. Your decision is recorded with these figures.`
            : undefined
        }
        confirmLabel={action?.kind === 'request' ? 'Request' : 'Confirm'}
        submission={submission}
        onClose={close}
      >
        <TextAreaField
          id="approval-comments"
          label={action?.kind === 'revoke' ? 'Reason (required)' : 'Comments'}
          value={comments}
          onChange={setComments}
        />
        {action?.kind === 'decide' && action.decision === 'CONDITIONAL' && (
          <TextAreaField
            id="approval-conditions"
            label="Conditions (one per line)"
            value={conditions}
            onChange={setConditions}
          />
        )}
        {action?.kind === 'decide' && action.decision !== 'REJECTED' && readiness.recommendation === 'NO_GO' && (
          <TextField
            id="approval-override"
            label="Override reason (readiness is NO-GO)"
            value={override}
            onChange={e => setOverride(e.target.value)}
            fullWidth
            margin="normal"
          />
        )}
      </ActionDialog>
    </InfoCard>
  );
}
