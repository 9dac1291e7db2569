import { CUSTOMER_ANNOTATION, parseLadderConfig } from '@khal/plugin-ladder-common';
import { Customers } from './Customers';

const ACME = 'group:default/customer-stakeholders';
const GLOBEX = 'group:default/globex-stakeholders';
const OPS = 'group:default/operators';

const config = parseLadderConfig({
  customers: [
    { id: 'acme', title: 'Acme Retail', stakeholders: [ACME] },
    { id: 'globex', title: 'Globex', stakeholders: [GLOBEX] },
  ],
  ladders: [
    {
      id: 'khal',
      title: 'Khal',
      rungs: [
        {
          id: 'prod',
          title: 'Production',
          runtime: 'oke',
          mutationPolicy: 'operators',
          approvers: {
            rules: [
              { groups: [ACME], minimum: 1 },
              { title: 'Second operator', groups: [OPS], minimum: 1 },
            ],
          },
        },
      ],
    },
  ],
});

const entity = (customer: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'storefront', annotations: { [CUSTOMER_ANNOTATION]: customer } },
});

describe('Customers.ladderFor with approval rules', () => {
  it("puts the entity's customer's stakeholders in the rule that named stakeholders, and only there", () => {
    const customers = new Customers(config);
    const approvers = customers.ladderFor(entity('globex'), config.ladders[0]).rungs[0].approvers!;
    expect(approvers.rules).toEqual([
      // A default title names the groups, so it is made again from the customer's.
      { groups: [GLOBEX], minimum: 1, title: `1 of ${GLOBEX}` },
      { groups: [OPS], minimum: 1, title: 'Second operator' },
    ]);
    // Another customer's stakeholders never approve this app.
    expect(approvers.groups).toEqual([GLOBEX, OPS]);
    expect(approvers.minimum).toBe(2);
  });
});
