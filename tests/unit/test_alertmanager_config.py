"""The Alertmanager configuration `epun up --with-prometheus` generates, from the environment."""
import shutil
import subprocess

import pytest
import yaml

from epun.alertmanager import AlertRouting, config_for
from epun.stack import StackError


def test_mail_goes_through_the_smtp_url_to_the_recipient():
    routing = AlertRouting.from_environment({
        "SMTP_URL": "smtp://relay.example.org:2525", "ALERT_EMAIL_TO": "ops@example.org"})
    config = config_for(routing)
    assert config["global"]["smtp_smarthost"] == "relay.example.org:2525"
    assert config["global"]["smtp_require_tls"] is False
    assert config["receivers"] == [{"name": "operations", "email_configs": [
        {"to": "ops@example.org", "send_resolved": True}]}]


def test_alert_smtp_url_wins_and_carries_its_credentials():
    config = config_for(AlertRouting.from_environment({
        "SMTP_URL": "smtp://ignored:25",
        "ALERT_SMTP_URL": "smtps://alerts:p%40ss@mail.example.org"}))
    assert config["global"]["smtp_smarthost"] == "mail.example.org:25"
    assert config["global"]["smtp_require_tls"] is True
    assert (config["global"]["smtp_auth_username"],
            config["global"]["smtp_auth_password"]) == ("alerts", "p@ss")


def test_a_webhook_replaces_mail():
    config = config_for(AlertRouting.from_environment(
        {"ALERT_WEBHOOK_URL": "https://chat.example.org/hook"}))
    assert config["receivers"][0]["webhook_configs"][0]["url"] == "https://chat.example.org/hook"
    assert "smtp_smarthost" not in config["global"]


def test_a_malformed_smtp_url_is_refused():
    with pytest.raises(StackError, match="ALERT_SMTP_URL"):
        config_for(AlertRouting(smtp_url="relay.example.org:25"))


@pytest.mark.skipif(not shutil.which("amtool"), reason="amtool not installed")
@pytest.mark.parametrize("env", [{}, {"ALERT_WEBHOOK_URL": "http://127.0.0.1:1/hook"}])
def test_amtool_accepts_the_configuration(tmp_path, env):
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config_for(AlertRouting.from_environment(env))))
    checked = subprocess.run(["amtool", "check-config", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
