"""Lithuania's 60 municipalities (savivaldybės) and the 10 counties (apskritys) they lie in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class County(models.TextChoices):
    ALYTUS = "alytaus", "Alytaus apskritis"
    KAUNAS = "kauno", "Kauno apskritis"
    KLAIPEDA = "klaipedos", "Klaipėdos apskritis"
    MARIJAMPOLE = "marijampoles", "Marijampolės apskritis"
    PANEVEZYS = "panevezio", "Panevėžio apskritis"
    SIAULIAI = "siauliu", "Šiaulių apskritis"
    TAURAGE = "taurages", "Tauragės apskritis"
    TELSIAI = "telsiu", "Telšių apskritis"
    UTENA = "utenos", "Utenos apskritis"
    VILNIUS = "vilniaus", "Vilniaus apskritis"


# (code, name, county); names are proper nouns, the same in every language.
_MUNICIPALITIES = [
    ("alytaus-m", "Alytaus m. sav.", County.ALYTUS),
    ("alytaus-r", "Alytaus r. sav.", County.ALYTUS),
    ("druskininku", "Druskininkų sav.", County.ALYTUS),
    ("lazdiju-r", "Lazdijų r. sav.", County.ALYTUS),
    ("varenos-r", "Varėnos r. sav.", County.ALYTUS),
    ("birstono", "Birštono sav.", County.KAUNAS),
    ("jonavos-r", "Jonavos r. sav.", County.KAUNAS),
    ("kaisiadoriu-r", "Kaišiadorių r. sav.", County.KAUNAS),
    ("kauno-m", "Kauno m. sav.", County.KAUNAS),
    ("kauno-r", "Kauno r. sav.", County.KAUNAS),
    ("kedainiu-r", "Kėdainių r. sav.", County.KAUNAS),
    ("prienu-r", "Prienų r. sav.", County.KAUNAS),
    ("raseiniu-r", "Raseinių r. sav.", County.KAUNAS),
    ("klaipedos-m", "Klaipėdos m. sav.", County.KLAIPEDA),
    ("klaipedos-r", "Klaipėdos r. sav.", County.KLAIPEDA),
    ("kretingos-r", "Kretingos r. sav.", County.KLAIPEDA),
    ("neringos", "Neringos sav.", County.KLAIPEDA),
    ("palangos-m", "Palangos m. sav.", County.KLAIPEDA),
    ("skuodo-r", "Skuodo r. sav.", County.KLAIPEDA),
    ("silutes-r", "Šilutės r. sav.", County.KLAIPEDA),
    ("marijampoles", "Marijampolės sav.", County.MARIJAMPOLE),
    ("kalvarijos", "Kalvarijos sav.", County.MARIJAMPOLE),
    ("kazlu-rudos", "Kazlų Rūdos sav.", County.MARIJAMPOLE),
    ("sakiu-r", "Šakių r. sav.", County.MARIJAMPOLE),
    ("vilkaviskio-r", "Vilkaviškio r. sav.", County.MARIJAMPOLE),
    ("panevezio-m", "Panevėžio m. sav.", County.PANEVEZYS),
    ("panevezio-r", "Panevėžio r. sav.", County.PANEVEZYS),
    ("birzu-r", "Biržų r. sav.", County.PANEVEZYS),
    ("kupiskio-r", "Kupiškio r. sav.", County.PANEVEZYS),
    ("pasvalio-r", "Pasvalio r. sav.", County.PANEVEZYS),
    ("rokiskio-r", "Rokiškio r. sav.", County.PANEVEZYS),
    ("siauliu-m", "Šiaulių m. sav.", County.SIAULIAI),
    ("siauliu-r", "Šiaulių r. sav.", County.SIAULIAI),
    ("akmenes-r", "Akmenės r. sav.", County.SIAULIAI),
    ("joniskio-r", "Joniškio r. sav.", County.SIAULIAI),
    ("kelmes-r", "Kelmės r. sav.", County.SIAULIAI),
    ("pakruojo-r", "Pakruojo r. sav.", County.SIAULIAI),
    ("radviliskio-r", "Radviliškio r. sav.", County.SIAULIAI),
    ("taurages-r", "Tauragės r. sav.", County.TAURAGE),
    ("jurbarko-r", "Jurbarko r. sav.", County.TAURAGE),
    ("pagegiu", "Pagėgių sav.", County.TAURAGE),
    ("silales-r", "Šilalės r. sav.", County.TAURAGE),
    ("telsiu-r", "Telšių r. sav.", County.TELSIAI),
    ("mazeikiu-r", "Mažeikių r. sav.", County.TELSIAI),
    ("plunges-r", "Plungės r. sav.", County.TELSIAI),
    ("rietavo", "Rietavo sav.", County.TELSIAI),
    ("utenos-r", "Utenos r. sav.", County.UTENA),
    ("anyksciu-r", "Anykščių r. sav.", County.UTENA),
    ("ignalinos-r", "Ignalinos r. sav.", County.UTENA),
    ("moletu-r", "Molėtų r. sav.", County.UTENA),
    ("visagino", "Visagino sav.", County.UTENA),
    ("zarasu-r", "Zarasų r. sav.", County.UTENA),
    ("vilniaus-m", "Vilniaus m. sav.", County.VILNIUS),
    ("vilniaus-r", "Vilniaus r. sav.", County.VILNIUS),
    ("elektrenu", "Elektrėnų sav.", County.VILNIUS),
    ("salcininku-r", "Šalčininkų r. sav.", County.VILNIUS),
    ("sirvintu-r", "Širvintų r. sav.", County.VILNIUS),
    ("svencioniu-r", "Švenčionių r. sav.", County.VILNIUS),
    ("traku-r", "Trakų r. sav.", County.VILNIUS),
    ("ukmerges-r", "Ukmergės r. sav.", County.VILNIUS),
]

Municipality = models.TextChoices(
    "Municipality",
    [(code.replace("-", "_").upper(), (code, name)) for code, name, _c in _MUNICIPALITIES],
)
Municipality.__doc__ = "A Lithuanian municipality; its value is a stable ASCII code."

COUNTY_OF: dict[str, str] = {code: county for code, _name, county in _MUNICIPALITIES}

FOREIGN_LABEL = _("abroad")


def county_of(municipality: str) -> str:
    return COUNTY_OF.get(municipality, "")
