"""The page paths written where no request is (mails, calendar feeds, notifications) are
the app's own routes: a route moved without them would send people to a 404."""

from urllib.parse import urlsplit

from tracker.infra import page_paths

from ..conftest import login


def _endpoint(app, path: str) -> str:
    adapter = app.url_map.bind("tracker.example")
    endpoint, _arguments = adapter.match(urlsplit(path).path, method="GET")
    return endpoint


def test_each_page_path_is_the_page_it_names(app, client, make, org):
    assert _endpoint(app, page_paths.task_page(4711)) == "tasks.show"
    waiting = page_paths.waiting_tasks_page()
    assert _endpoint(app, waiting) == "tasks.my_unit"
    # ... and the tab it names is the one of the tasks given to no one.
    login(client, make.user("unit_leader", org["institute"]))
    page = client.get(waiting).text
    assert 'aria-current="page">Given to no one yet' in page
