import { useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  SignInPage,
} from '@backstage/core-components';
import { IdentityApi, SignInPageProps } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';

/** Where the chosen demo user is remembered, so a reload keeps the session. */
export const DEMO_USER_STORAGE_KEY = 'khal-ladder.demo-user';
const GUEST = '(guest)';

/** The demo users of the embedded default and what each one shows. */
const demoUsers = [
  { name: 'alice', role: 'FDE — requests promotions (group fdes, owner of the demo apps)' },
  { name: 'frank', role: 'FDE — a second requester (group fdes)' },
  { name: 'sam', role: 'Customer stakeholder — approves HML (group customer-stakeholders)' },
  { name: 'gina', role: 'Second customer (Globex) — sees and approves Globex apps only (group globex-stakeholders)' },
  { name: 'olga', role: 'Operator — approves production (group operators)' },
  { name: 'omar', role: 'Operator — the second production approver (group operators)' },
];

/** Signing out forgets the chosen demo user, so the picker shows again. */
function forgettingIdentity(identityApi: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identityApi.getProfileInfo(),
    getBackstageIdentity: () => identityApi.getBackstageIdentity(),
    getCredentials: () => identityApi.getCredentials(),
    signOut: async () => {
      window.localStorage.removeItem(DEMO_USER_STORAGE_KEY);
      await identityApi.signOut();
    },
  };
}

/**
 * Sign-in for the embedded default: pick a demo user (the backend's `demo` provider resolves
 * them in the catalog) or continue as guest. Production apps use a real provider instead.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const [choice, setChoice] = useState<string | null>(() =>
    window.localStorage.getItem(DEMO_USER_STORAGE_KEY),
  );
  const onSignInSuccess = (identityApi: IdentityApi) =>
    props.onSignInSuccess(forgettingIdentity(identityApi));

  if (choice === GUEST) {
    return <SignInPage {...props} onSignInSuccess={onSignInSuccess} auto providers={['guest']} />;
  }
  if (choice) {
    return (
      <ProxiedSignInPage
        {...props}
        onSignInSuccess={onSignInSuccess}
        provider="demo"
        headers={{ 'x-khal-demo-user': choice }}
      />
    );
  }
  const pick = (name: string) => {
    window.localStorage.setItem(DEMO_USER_STORAGE_KEY, name);
    setChoice(name);
  };
  return (
    <Page themeId="home">
      <Header title="Khal Ladder" subtitle="Sign in to the demo portal" />
      <Content>
        <Grid container spacing={3}>
          {demoUsers.map(u => (
            <Grid item xs={12} sm={6} md={4} key={u.name}>
              <InfoCard title={u.name} subheader={u.role}>
                <Button
                  variant="contained"
                  color="primary"
                  onClick={() => pick(u.name)}
                  aria-label={`Sign in as ${u.name}`}
                >
                  Sign in as {u.name}
                </Button>
              </InfoCard>
            </Grid>
          ))}
          <Grid item xs={12} sm={6} md={4}>
            <InfoCard title="Guest" subheader="Browse without a catalog user">
              <Typography variant="body2" paragraph>
                Guests can look around but cannot request or approve promotions.
              </Typography>
              <Button variant="outlined" onClick={() => pick(GUEST)} aria-label="Continue as guest">
                Continue as guest
              </Button>
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
