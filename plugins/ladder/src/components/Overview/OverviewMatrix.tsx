import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import { activeFreeze, pauseCovers, type LadderSummary, type LinePause, type OverviewRow } from '@khal/plugin-ladder-common';
import { formatTime } from '../../format/age';
import { shortEntityRef } from '../../format/shortRef';
import { useEntityLadderLink } from '../../hooks/useEntityLadderLink';
import { OverviewCell } from './OverviewCell';
import { RungWindowCaption } from '../TimeRules';

export interface OverviewMatrixProps {
  ladder: LadderSummary;
  rows: OverviewRow[];
  /** Pauses in force: a paused rung's column and a paused service's row say so. */
  pauses?: LinePause[];
}

/** "paused by olga: cluster upgrade", for a header, a row or a tooltip. */
const pausedText = (p: LinePause) => `paused by ${shortEntityRef(p.pausedBy)}: ${p.reason}`;

/** Services × rungs of one ladder; every cell links to the service's Ladder tab. */
export function OverviewMatrix(props: OverviewMatrixProps) {
  const { ladder, rows } = props;
  const pauses = props.pauses ?? [];
  const ladderPause = pauses.find(p => p.scope === 'ladder' && p.ladderId === ladder.id);
  const rungPause = (rungId: string) =>
    ladderPause ?? pauses.find(p => p.scope === 'rung' && p.ladderId === ladder.id && p.rungId === rungId);
  const ladderLink = useEntityLadderLink();
  const captionId = `overview-${ladder.id}`;
  return (
    <div style={{ overflowX: 'auto', marginBottom: 24 }}>
      <Typography variant="h6" component="h2" id={captionId}>
        {ladder.title}
      </Typography>
      <Table size="small" aria-labelledby={captionId}>
        <TableHead>
          <TableRow>
            <TableCell component="th" scope="col">
              Service
            </TableCell>
            <TableCell component="th" scope="col">
              Owner
            </TableCell>
            {ladder.rungs.map(r => (
              <TableCell key={r.id} component="th" scope="col" data-testid={`overview-rung-${ladder.id}-${r.id}`}>
                {r.title}
                {activeFreeze(r.freezes ?? []) ? (
                  <Typography
                    variant="caption"
                    component="div"
                    color="error"
                    data-testid="overview-rung-frozen"
                    title={activeFreeze(r.freezes ?? [])!.reason}
                  >
                    ❄ frozen until {formatTime(activeFreeze(r.freezes ?? [])!.to)}
                  </Typography>
                ) : null}
                <RungWindowCaption rung={r} />
                {rungPause(r.id) ? (
                  <Typography variant="caption" component="div" color="error" title={pausedText(rungPause(r.id)!)}>
                    paused
                  </Typography>
                ) : null}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(row => {
            const href = ladderLink(row.entityRef);
            const rowPause = pauses.find(
              p => p.scope === 'entity' && pauseCovers(p, { entityRef: row.entityRef, ladderId: ladder.id, rungId: '' }),
            );
            return (
              <TableRow key={row.entityRef}>
                <TableCell component="th" scope="row">
                  <Link to={href}>{row.title}</Link>
                  {rowPause ? (
                    <Typography variant="caption" component="div" color="error" data-testid="overview-row-paused">
                      {pausedText(rowPause)}
                    </Typography>
                  ) : null}
                  {row.system ? (
                    <Typography variant="caption" component="div" color="textSecondary">
                      {shortEntityRef(row.system)}
                    </Typography>
                  ) : null}
                </TableCell>
                <TableCell>{row.owner ? shortEntityRef(row.owner) : '—'}</TableCell>
                {ladder.rungs.map(r => (
                  <TableCell key={r.id} padding="none">
                    <OverviewCell cell={row.cells[r.id]} rungTitle={r.title} serviceTitle={row.title} href={href} />
                  </TableCell>
                ))}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
