// PM2 ecosystem for the local rungs: `pm2 startOrReload ecosystem.config.js --only ${{ values.name }} --update-env`
// (`khal deploy --target local` runs exactly that, with the pm2 that comes with the khal CLI).
// The mirrored rung runs a second checkout under another name and port:
// KHAL_PM2_NAME=${{ values.name }}-mirror PORT=8081. KHAL_REF is the commit khal deployed.
// Only the port is set here. Settings from khal-app.json are supplied per machine, never committed:
// export them in your shell (or a git-ignored .env you source) before starting.
{%- if values.settings.length %}
// Settings this app reads:{% for setting in values.settings %}
//   ${{ setting.name }}{% if setting.secret %} (secret){% endif %}{% if setting.required === false %} (optional){% endif %}{% endfor %}
{%- endif %}
module.exports = {
  apps: [
    {
      name: process.env.KHAL_PM2_NAME || '${{ values.name }}',
      script: 'dist/index.js',
      instances: 1,
      autorestart: true,
      env: {
        PORT: process.env.PORT || '8080',
        KHAL_REF: process.env.KHAL_REF || '',
      },
    },
  ],
};
