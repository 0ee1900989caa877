"""The broker's classroom listener without a broker: parsing ``--reachable-at``, the
server.properties it renders, what start and status print, and each clear refusal."""

import errno
from pathlib import Path

import pytest

from eda_lab.cli.commands import build_parser, main
from eda_lab.cli.doctor import check_advertised
from eda_lab.clients.cluster import ClusterInfo
from eda_lab.errors import LocalBrokerError, PortInUse, SettingsError
from eda_lab.local_kafka import ports
from eda_lab.local_kafka.broker import LocalBroker
from eda_lab.local_kafka.classroom import ClassroomAddress, classroom_from_options
from eda_lab.local_kafka.files import BrokerFiles, BrokerState
from eda_lab.local_kafka.node import NodeConfig
from eda_lab.local_kafka.status import BrokerStatus
from eda_lab.settings import Settings

LISTENER_KEYS = {"listeners", "advertised.listeners", "listener.security.protocol.map"}


def rendered(tmp_path: Path, reachable_at: str, bind: str | None = None) -> dict[str, str]:
    """server.properties as the broker writes it at ports 9400 and 9401, as a dict."""
    listener = ClassroomAddress.parse(reachable_at, bind).listener(9400, 9401)
    files = BrokerFiles(tmp_path)
    files.write_config("127.0.0.1", BrokerState(9400, 9401, "4.3.1", "x"), (listener,))
    return dict(line.split("=", 1) for line in files.properties.read_text().splitlines())


def test_the_classroom_listener_binds_every_interface_and_advertises_the_host(tmp_path):
    props = rendered(tmp_path, "laptop.local")
    assert props["listeners"] == ("PLAINTEXT://127.0.0.1:9400,CLASSROOM://0.0.0.0:9402,"
                                  "CONTROLLER://127.0.0.1:9401")
    assert props["advertised.listeners"] == ("PLAINTEXT://127.0.0.1:9400,"
                                             "CLASSROOM://laptop.local:9402,"
                                             "CONTROLLER://127.0.0.1:9401")
    assert props["listener.security.protocol.map"] == (
        "CLASSROOM:PLAINTEXT,CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT")


def test_the_controller_and_everything_else_stay_as_on_loopback_alone(tmp_path):
    props = rendered(tmp_path, "192.168.1.20:19094", bind="192.168.1.20")
    assert "CLASSROOM://192.168.1.20:19094" in props["listeners"].split(",")
    assert "CONTROLLER://127.0.0.1:9401" in props["listeners"].split(",")
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:9401"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    alone = NodeConfig.combined(9400, 9401, tmp_path / "data").properties()
    assert {k: v for k, v in props.items() if k not in LISTENER_KEYS} == {
        k: v for k, v in alone.items() if k not in LISTENER_KEYS}


@pytest.mark.parametrize("given, bind, expected", [
    ("laptop.local", None, ClassroomAddress("laptop.local", None, "0.0.0.0")),
    (" 10.0.0.5:9094 ", None, ClassroomAddress("10.0.0.5", 9094, "0.0.0.0")),
    ("127.0.0.2:20000", "127.0.0.2", ClassroomAddress("127.0.0.2", 20000, "127.0.0.2")),
    ("[fd00::7]:9094", "[::]", ClassroomAddress("[fd00::7]", 9094, "[::]")),
    ("[fd00::7]", None, ClassroomAddress("[fd00::7]", None, "0.0.0.0")),
])
def test_reachable_at_is_host_and_optional_port(given, bind, expected):
    assert ClassroomAddress.parse(given, bind) == expected


@pytest.mark.parametrize("given, says", [
    ("", "has no host"),
    ("   ", "has no host"),
    (":9094", "has no host"),
    ("laptop:abc", "not a number from 1 to 65535"),
    ("laptop:", "not a number from 1 to 65535"),
    ("laptop:0", "not a number from 1 to 65535"),
    ("laptop:65536", "not a number from 1 to 65535"),
    ("laptop:-1", "not a number from 1 to 65535"),
    ("0.0.0.0", "clients cannot connect to 0.0.0.0.*name or IP learners reach"),
    ("0.0.0.0:9094", "clients cannot connect to 0.0.0.0"),
    ("[::]:9094", "clients cannot connect to"),
    ("two words", "not a host name or IP"),
    ("a,b:9094", "not a host name or IP"),
    ("fd00::7:9094", "IPv6 address in brackets"),
])
def test_a_bad_reachable_at_says_what_to_give(given, says):
    with pytest.raises(SettingsError, match=says):
        ClassroomAddress.parse(given)


@pytest.mark.parametrize("bind", ["", "0.0.0.0:9094", "a b"])
def test_a_bad_bind_says_what_it_takes(bind):
    with pytest.raises(SettingsError, match="is not a local address"):
        ClassroomAddress.parse("laptop.local", bind)


def test_bind_alone_is_refused_and_nothing_given_means_loopback_only():
    assert classroom_from_options(None) is None
    with pytest.raises(SettingsError, match="give --reachable-at HOST too"):
        classroom_from_options(None, "0.0.0.0")


@pytest.mark.parametrize("given, client, controller, says", [
    ("laptop:9400", 9400, 9401, "the broker's client port"),
    ("laptop:9401", 9400, 9401, "the broker's controller port"),
    ("laptop", 9400, 9402, "9402 is the broker's controller port"),  # the default, client + 2
])
def test_the_classroom_port_must_be_its_own(given, client, controller, says):
    with pytest.raises(SettingsError, match=says):
        ClassroomAddress.parse(given).listener(client, controller)


def test_only_broker_start_takes_the_options():
    args = build_parser().parse_args(["broker", "start", "--reachable-at", "laptop.local:9094",
                                      "--bind", "10.0.0.5"])
    assert (args.reachable_at, args.bind) == ("laptop.local:9094", "10.0.0.5")
    plain = build_parser().parse_args(["broker", "start"])
    assert (plain.reachable_at, plain.bind) == (None, None)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["broker", "status", "--reachable-at", "laptop.local"])


def test_the_cli_refuses_a_bad_address_before_touching_anything(tmp_path, capsys):
    home = tmp_path / "broker"
    assert main(["broker", "start", "--home", str(home), "--reachable-at", "0.0.0.0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --reachable-at '0.0.0.0'") and "learners reach" in err
    assert not home.exists()


def running(**classroom: str) -> BrokerStatus:
    return BrokerStatus(True, "127.0.0.1:9400", "4.3.1", Path("/d"), Path("/l"), pid=7,
                        **classroom)


CLASSROOM = dict(classroom_at="laptop.local:9402", classroom_bind="0.0.0.0:9402")


def test_start_prints_what_learners_export_and_the_warning(tmp_path, monkeypatch, capsys):
    started = []

    def fake_start(broker, timeout_s):
        started.append(broker.classroom)
        return running(**CLASSROOM)

    monkeypatch.setattr(LocalBroker, "start", fake_start)
    assert main(["broker", "start", "--home", str(tmp_path), "--port", "9400",
                 "--reachable-at", "laptop.local"]) == 0
    assert started == [ClassroomAddress("laptop.local")]
    out = capsys.readouterr().out
    assert "export EDA_LAB_BOOTSTRAP=laptop.local:9402" in out
    assert "listener CLASSROOM on 0.0.0.0:9402" in out and "firewall" in out
    warning = [line for line in out.splitlines() if "no authentication" in line]
    assert len(warning) == 1 and "trusted network" in warning[0]


def test_status_shows_the_classroom_address_only_while_it_runs():
    text = running(**CLASSROOM).describe()
    assert "learners:   export EDA_LAB_BOOTSTRAP=laptop.local:9402" in text
    assert "no authentication" in text
    assert "learners" not in running().describe()
    stopped = BrokerStatus(False, "127.0.0.1:9400", "4.3.1", Path("/d"), Path("/l"), **CLASSROOM)
    assert "learners" not in stopped.describe()


def test_a_stopped_broker_does_not_report_its_last_classroom_address(tmp_path):
    BrokerFiles(tmp_path).write_state(BrokerState(9400, 9401, "4.3.1", "x", pid=None,
                                                  classroom_at="laptop.local:9402",
                                                  classroom_bind="0.0.0.0:9402"))
    status = LocalBroker(home=tmp_path).status()
    assert not status.running and status.classroom_lines() == []


def test_a_running_broker_is_not_silently_left_without_the_asked_listener(tmp_path, monkeypatch):
    BrokerFiles(tmp_path).write_state(BrokerState(9400, 9401, "4.3.1", "x", pid=7))
    monkeypatch.setattr(LocalBroker, "status", lambda self: running())
    with pytest.raises(LocalBrokerError, match="already running on 127.0.0.1 only.*broker stop"):
        LocalBroker(home=tmp_path, reachable_at="laptop.local").start()
    monkeypatch.setattr(LocalBroker, "status", lambda self: running(**CLASSROOM))
    with pytest.raises(LocalBrokerError, match="with learners at laptop.local:9402"):
        LocalBroker(home=tmp_path, reachable_at="other.local").start()
    assert LocalBroker(home=tmp_path, reachable_at="laptop.local").start().already_running
    assert LocalBroker(home=tmp_path).start().already_running  # a plain start: as it is


def test_a_taken_classroom_port_says_to_give_learners_another(tmp_path, monkeypatch):
    listener = ClassroomAddress.parse("laptop.local").listener(9400, 9401)
    node = NodeConfig.combined(9400, 9401, tmp_path / "data", extra_listeners=(listener,))
    monkeypatch.setattr(ports, "port_is_free", lambda port, host: port != 9402)
    with pytest.raises(PortInUse, match=r"9402 on 0.0.0.0, asked for the CLASSROOM listener.*"
                                        r"--reachable-at laptop.local:9502"):
        ports.check_ports(node, tmp_path)


def test_a_bind_address_of_another_machine_says_what_bind_takes(tmp_path, monkeypatch):
    listener = ClassroomAddress.parse("laptop.local", bind="10.9.9.9").listener(9400, 9401)
    node = NodeConfig.combined(9400, 9401, tmp_path / "data", extra_listeners=(listener,))

    def cannot_bind(port, host):
        if host == "10.9.9.9":
            raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")
        return True

    monkeypatch.setattr(ports, "port_is_free", cannot_bind)
    with pytest.raises(LocalBrokerError, match=r"CLASSROOM listener cannot bind 10.9.9.9:9402: "
                                               r"Cannot assign .*an address of this machine"):
        ports.check_ports(node, tmp_path)


def test_the_doctor_accepts_a_learner_sent_to_the_classroom_address():
    info = ClusterInfo("id", 1, ("laptop.local:9402",), "4.3")
    assert check_advertised(Settings(bootstrap="laptop.local:9402"), info).ok
    sent_to_loopback = ClusterInfo("id", 1, ("127.0.0.1:9400",), "4.3")
    assert not check_advertised(Settings(bootstrap="laptop.local:9402"), sent_to_loopback).ok
