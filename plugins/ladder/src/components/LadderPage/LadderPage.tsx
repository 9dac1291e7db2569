import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { Link as RouterLink, Route, Routes, useLocation, useResolvedPath } from 'react-router-dom';
import { LadderOverviewPage } from '../Overview';
import { LadderApprovalsPage } from '../Approvals';

function LadderTabs() {
  const base = useResolvedPath('.').pathname.replace(/\/$/, '');
  const { pathname } = useLocation();
  const current = pathname.startsWith(`${base}/approvals`) ? 'approvals' : 'overview';
  return (
    <nav aria-label="Ladder views">
      <Tabs value={current} indicatorColor="primary" textColor="primary" style={{ marginBottom: 16 }}>
        <Tab value="overview" label="Overview" component={RouterLink} to={base || '/'} />
        <Tab value="approvals" label="Approvals" component={RouterLink} to={`${base}/approvals`} />
      </Tabs>
    </nav>
  );
}

/**
 * The plugin's page content: the overview matrix at its root and the approvals inbox below it
 * (`/ladder` and `/ladder/approvals` by default). The frame (header) comes from the app.
 */
export function LadderPage() {
  return (
    <>
      <LadderTabs />
      <Routes>
        <Route path="/" element={<LadderOverviewPage />} />
        <Route path="/approvals" element={<LadderApprovalsPage />} />
      </Routes>
    </>
  );
}
