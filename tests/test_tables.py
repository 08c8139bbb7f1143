"""Tables beside the charts and in downloads: French text for the screen, numbers for the files."""

import pandas as pd

from sus_data import exports, tables

NNBSP = "\u202f"
NBSP = "\u00a0"
TERRITORIES = pd.DataFrame(
    {"code": ["71", "TAS MP", "TAS CL"], "libelle_court": ["Département", "TAS MP", "TAS CL"], "ordre": [0, 1, 2]}
)


def series(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["territoire", "periode", "ordre_periode", "valeur", "calcule", "partiel", "demo"]
    )


def test_series_table_display_and_data():
    frame = series(
        [
            ("TAS MP", "2025", 20255, 1234.5, False, True, False),
            ("71", "2024", 20245, 15547.0, True, False, False),
            ("TAS MP", "2024", 20245, 7000.0, False, False, True),
            ("71", "2025", 20255, 12.0, False, False, False),
        ]
    )
    display, data = tables.series_table(frame, TERRITORIES, "nombre")
    assert list(display.columns) == ["Période", "Département", "TAS MP"]
    assert display.to_dict("records") == [
        {"Période": "2024", "Département": f"15{NNBSP}547 (calculé)", "TAS MP": f"7{NNBSP}000 *"},
        {"Période": "2025", "Département": "12", "TAS MP": f"1{NNBSP}234,5 (partiel)"},
    ]
    assert data.to_dict("records") == [
        {"Période": "2024", "Département": 15547.0, "TAS MP": 7000.0},
        {"Période": "2025", "Département": 12.0, "TAS MP": 1234.5},
    ]


def test_series_table_missing_cells_are_a_dash():
    frame = series(
        [("71", "T1 2025", 20251, 1.0, False, False, False), ("TAS CL", "T2 2025", 20252, 2.5, False, False, False)]
    )
    display, _ = tables.series_table(frame, TERRITORIES, "%")
    assert display.to_dict("records") == [
        {"Période": "T1 2025", "Département": f"1{NBSP}%", "TAS CL": "—"},
        {"Période": "T2 2025", "Département": "—", "TAS CL": f"2,5{NBSP}%"},
    ]


def test_comparison_table():
    frame = pd.DataFrame(
        {
            "libelle_court": ["Département", "TAS MP"],
            "valeur": [1500.0, 700.0],
            "calcule": [True, False],
            "partiel": [False, False],
            "demo": [False, True],
        }
    )
    display, data = tables.comparison_table(frame, "€")
    assert display["Valeur"].tolist() == [f"1{NNBSP}500,00{NBSP}€ (calculé)", f"700,00{NBSP}€ *"]
    assert data["Calculée à partir des TAS"].tolist() == ["oui", "non"]
    assert data["Données fictives de démonstration"].tolist() == ["non", "oui"]


def test_position_lines():
    positions = pd.DataFrame(
        {
            "territoire": ["TAS MP", "TAS CL", "TAS MALC"],
            "libelle_court": ["TAS MP", "TAS CL", "TAS MALC"],
            "valeur": [7, 8, 9],
            "compare": [-93.0, -20.0, None],
            "reference": [-80.8, -80.8, -80.8],
            "position": ["en dessous", "au-dessus", "non comparable"],
        }
    ).to_dict("records")
    assert tables.position_lines(positions, "nombre", True) == [
        f"▼ TAS MP : évolution plus faible que le département (\u221293{NBSP}% contre \u221280,8{NBSP}%)",
        f"▲ TAS CL : évolution plus forte que le département (\u221220{NBSP}% contre \u221280,8{NBSP}%)",
        "TAS MALC : pas de comparaison possible (période précédente manquante)",
    ]


def test_completeness_text():
    assert tables.completeness_text({"periode": "2025", "attendues": 37, "recues": 35, "taux": 94.59}) == (
        f"Données reçues pour 2025 : 35 séries sur 37 attendues (95{NBSP}%)."
    )
    assert tables.completeness_text(None) == "Aucune donnée attendue pour la période."


def test_delta_style_follows_the_wanted_direction():
    assert tables.delta_style(-1.0, "hausse") == {
        "delta": f"\u22121{NBSP}%",
        "delta_arrow": "down",
        "delta_color": "red",
    }
    assert tables.delta_style(-1.0, "baisse") == {
        "delta": f"\u22121{NBSP}%",
        "delta_arrow": "down",
        "delta_color": "green",
    }
    assert tables.delta_style(6.7, "hausse")["delta_color"] == "green"
    assert tables.delta_style(6.7, "neutre") == {"delta": f"+6,7{NBSP}%", "delta_arrow": "up", "delta_color": "gray"}
    assert tables.delta_style(0.01, "hausse") == {"delta": f"0{NBSP}%", "delta_arrow": "off", "delta_color": "gray"}
    assert tables.delta_style(None, "hausse")["delta"] is None


def test_downloads_in_the_french_excel_dialect():
    data = pd.DataFrame({"Territoire": ["TAS MP", '=HYPERLINK("x")'], "Valeur": [1234.5, 7.0]})
    raw = exports.csv_fr_bytes(data)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.splitlines() == ["Territoire;Valeur", "TAS MP;1234,5", '"\'=HYPERLINK(""x"")";7,0']
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(data))).active
    assert [c.value for c in sheet[1]] == ["Territoire", "Valeur"]
    assert sheet["A3"].value == '\'=HYPERLINK("x")'
    assert sheet["B2"].value == 1234.5
