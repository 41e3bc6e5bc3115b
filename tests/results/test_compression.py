"""On PostgreSQL the basis's chunks and the lines' details are stored with lz4 (results/migrations/0007)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="column compression is PostgreSQL's")
@pytest.mark.parametrize("table, column", [("results_basischunk", "data"), ("results_indicatorscore", "details")])
def test_the_large_columns_are_compressed_with_lz4(table, column):
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        if "lz4" not in cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL was built without lz4")
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s", [table, column]
        )
        assert cursor.fetchone()[0] == "l"
