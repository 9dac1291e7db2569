import { Content, Header, Page } from '@backstage/core-components';
import { LadderApprovalsPage } from '../Approvals';
import { LadderPage } from './LadderPage';

/** Legacy apps draw no page frame around plugin pages, so this one brings its own header. */
export function LegacyLadderPage() {
  return (
    <Page themeId="tool">
      <Header title="Ladder" subtitle="Where every service stands on its environment ladder" />
      <Content>
        <LadderPage />
      </Content>
    </Page>
  );
}

/** The approvals inbox with its own frame, for legacy apps that mount it separately. */
export function LegacyLadderApprovalsPage() {
  return (
    <Page themeId="tool">
      <Header title="Ladder approvals" subtitle="Promotions waiting for you" />
      <Content>
        <LadderApprovalsPage />
      </Content>
    </Page>
  );
}
