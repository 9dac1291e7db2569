// PM2 ecosystem for the local rung: `pm2 startOrReload ecosystem.config.js --only ${{ values.name }}`.
// Only the port is set here. Settings from khal-app.json are supplied per machine, never committed:
// export them in your shell (or a git-ignored .env you source) before starting.
{%- if values.settings.length %}
// Settings this app reads:{% for setting in values.settings %}
//   ${{ setting.name }}{% if setting.secret %} (secret){% endif %}{% if setting.required === false %} (optional){% endif %}{% endfor %}
{%- endif %}
module.exports = {
  apps: [
    {
      name: '${{ values.name }}',
      script: 'dist/index.js',
      instances: 1,
      autorestart: true,
      env: {
        PORT: '8080',
      },
    },
  ],
};
